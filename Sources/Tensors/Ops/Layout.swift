/// Operations that rearrange elements: reshape, permute, slice, select, gather, concatenate.
extension Tensor {
    /// The same elements with a new shape (shares storage). One extent may be `-1` (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            ensure(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            target[hole] = count / known
        }
        ensure(Shape.count(target, op: "reshape") == count, "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let out = Tensor(shape: target, storage: storage)
        let source = shape
        return out.recorded("reshape", [self]) { g in [g.reshaped(source)] }
    }

    /// Inserts an axis of extent 1 at `axis`.
    public func unsqueezed(axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank + 1, op: "unsqueeze", shape: shape)
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes the axis `axis`, which must have extent 1.
    public func squeezed(axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "squeeze", shape: shape)
        ensure(shape[a] == 1, "squeeze: axis \(axis) of shape \(shape) has extent \(shape[a]), not 1")
        var s = shape
        s.remove(at: a)
        return reshaped(s)
    }

    /// Reorders the axes: the result's axis `i` is this tensor's axis `permutation[i]` (a copy).
    public func permuted(_ permutation: [Int]) -> Tensor {
        ensure(permutation.sorted() == Array(0..<rank), "permute: \(permutation) is not a permutation of the axes of shape \(shape)")
        if permutation == Array(0..<rank) { return self }
        let out = Tensor(uninitialized: permutation.map { shape[$0] })
        Tensor.withData(self, out) { p in Kernels.permute(p[0], p[1], shape: shape, permutation: permutation) }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return out.recorded("permute", [self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two axes (default: the last two).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        let a = Shape.axis(axis0, rank: rank, op: "transpose", shape: shape)
        let b = Shape.axis(axis1, rank: rank, op: "transpose", shape: shape)
        var p = Array(0..<rank)
        p.swapAt(a, b)
        return permuted(p)
    }

    /// `body` applied to this tensor's rows (its last axis) in blocks of at most `maximumRows`,
    /// split evenly, each result written into its rows of one tensor of this shape: the values of
    /// `body(self)` for a `body` that treats rows independently, with `body`'s intermediates a
    /// block's size instead of the whole batch's. For inference: it records no gradient.
    public func mappingRowBlocks(maximumRows: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        ensure(rank >= 1 && maximumRows > 0, "mappingRowBlocks: needs a tensor with rows and a positive block, got \(shape) and \(maximumRows)")
        ensure(!GradMode.records([self]), "mappingRowBlocks: records no gradient; its input requires one")
        let width = shape[rank - 1], rows = count / Swift.max(width, 1)
        let blocks = Swift.max((rows + maximumRows - 1) / maximumRows, 1), blockRows = (rows + blocks - 1) / blocks
        guard blocks > 1 else { return body(self) }
        let flat = reshaped([rows, width]), out = Tensor(uninitialized: shape)
        for first in stride(from: 0, to: rows, by: blockRows) {
            let block = flat.slice(axis: 0, first..<Swift.min(first + blockRows, rows))
            let result = body(block)
            ensure(result.shape == block.shape, "mappingRowBlocks: a block of \(block.shape) became \(result.shape)")
            Tensor.withData(result, out) { p in (p[1] + first * width).update(from: p[0], count: result.count) }
        }
        return out
    }

    /// Elements `range` along `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice", shape: shape)
        ensure(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        let (outer, n, inner) = Shape.split(shape, axis: a)
        var s = shape
        s[a] = range.count
        let out = Tensor(uninitialized: s)
        Tensor.withData(self, out) { p in Kernels.sliceCopy(p[0], p[1], outer: outer, n: n, inner: inner, start: range.lowerBound, width: range.count) }
        let source = shape
        return out.recorded("slice", [self]) { g in
            let dx = Tensor.zeros(source)
            Tensor.withData(dx, g) { p in Kernels.sliceCopy(p[0], p[1], outer: outer, n: n, inner: inner, start: range.lowerBound, width: range.count, reverse: true) }
            return [dx]
        }
    }

    /// Selects `indices` along `axis` (repeats allowed); the gradient scatter-adds back.
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "indexSelect", shape: shape)
        let (outer, n, inner) = Shape.split(shape, axis: a)
        for i in indices { ensure(i >= 0 && i < n, "indexSelect: index \(i) is out of range for axis \(axis) of shape \(shape)") }
        var s = shape
        s[a] = indices.count
        let out = Tensor(uninitialized: s)
        indices.withUnsafeBufferPointer { idx in
            Tensor.withData(self, out) { p in Kernels.gather(p[0], p[1], indices: idx.baseAddress!, count: indices.count, outer: outer, n: n, inner: inner) }
        }
        let source = shape
        return out.recorded("indexSelect", [self]) { g in
            let dx = Tensor.zeros(source)
            indices.withUnsafeBufferPointer { idx in
                Tensor.withData(g, dx) { p in Kernels.scatterAdd(p[0], p[1], indices: idx.baseAddress!, count: indices.count, outer: outer, n: n, inner: inner) }
            }
            return [dx]
        }
    }

    /// Rows of a `[vocabulary, dim]` table for each index: an embedding lookup, shaped
    /// `indexShape + [dim]`. The gradient scatter-adds into the rows that were used.
    public func gatherRows(_ indices: [Int], indexShape: [Int]? = nil) -> Tensor {
        ensure(rank == 2, "gatherRows: table must be two-dimensional, got shape \(shape)")
        let rows = indexSelect(axis: 0, indices)
        return indexShape.map { rows.reshaped($0 + [shape[1]]) } ?? rows
    }

    /// Concatenates tensors along `axis`; all other extents must match.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        ensure(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let a = Shape.axis(axis, rank: first.rank, op: "concat", shape: first.shape)
        for t in tensors {
            var s0 = first.shape, s1 = t.shape
            ensure(s0.count == s1.count, "concat: shapes \(first.shape) and \(t.shape) have different ranks")
            s0[a] = 0
            s1[a] = 0
            ensure(s0 == s1, "concat: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        var s = first.shape
        s[a] = tensors.map { $0.shape[a] }.reduce(0, +)
        let out = Tensor(uninitialized: s)
        let (outer, n, inner) = Shape.split(s, axis: a)
        var starts: [Int] = []
        var start = 0
        for t in tensors {
            starts.append(start)
            Tensor.withData(out, t) { p in Kernels.sliceCopy(p[0], p[1], outer: outer, n: n, inner: inner, start: start, width: t.shape[a], reverse: true) }
            start += t.shape[a]
        }
        return out.recorded("concat", tensors) { g in
            zip(tensors, starts).map { t, st in t.requiresGrad ? g.slice(axis: a, st..<(st + t.shape[a])) : nil }
        }
    }

    /// Stacks same-shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        ensure(!tensors.isEmpty, "stack: no tensors")
        return concat(tensors.map { $0.unsqueezed(axis: axis) }, axis: axis)
    }
}
