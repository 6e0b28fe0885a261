/// Kernels that move data without arithmetic: permutation, broadcasting, slicing, gathering.
extension Kernels {
    /// Copies `x` (of `shape`) into `y` with axes reordered: `y`'s axis `i` is `x`'s axis `permutation[i]`.
    public static func permute(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, shape: [Int], permutation: [Int]) {
        let inStrides = Shape.strides(shape)
        let outShape = permutation.map { shape[$0] }
        let strides = permutation.map { inStrides[$0] }
        stridedCopy(x, y, shape: outShape, sourceStrides: strides)
    }

    /// `y` (contiguous, of `shape`) gets `x` read with arbitrary (possibly zero) strides.
    /// Broadcasting is a strided copy with stride 0 on the broadcast axes.
    public static func stridedCopy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, shape: [Int], sourceStrides: [Int]) {
        let rank = shape.count
        let total = shape.reduce(1, *)
        guard total > 0 else { return }
        guard rank > 0 else { y[0] = x[0]; return }
        let inner = shape[rank - 1], innerStride = sourceStrides[rank - 1]
        let rows = total / inner
        Parallel.forRange(rows, costPerItem: inner) { rs in
            // Decompose the first row index of this range, then step like an odometer.
            var index = [Int](repeating: 0, count: rank)
            var rem = rs.lowerBound
            for d in stride(from: rank - 2, through: 0, by: -1) {
                index[d] = rem % shape[d]
                rem /= shape[d]
            }
            var offset = 0
            for d in 0..<(rank - 1) { offset += index[d] * sourceStrides[d] }
            for row in rs {
                let yr = y + row * inner
                if innerStride == 1 {
                    yr.update(from: x + offset, count: inner)
                } else {
                    for j in 0..<inner { yr[j] = x[offset + j * innerStride] }
                }
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    offset += sourceStrides[d]
                    if index[d] < shape[d] { break }
                    offset -= index[d] * sourceStrides[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }

    /// `y[o, k, :] = x[o, indices[k], :]` for `x` viewed as `outer x n x inner`.
    public static func gather(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, indices: UnsafePointer<Int>, count: Int, outer: Int, n: Int, inner: Int) {
        Parallel.forRange(outer * count, costPerItem: inner) { rs in
            for r in rs {
                let o = r / count, k = r % count
                (y + r * inner).update(from: x + (o * n + indices[k]) * inner, count: inner)
            }
        }
    }

    /// `dx[o, indices[k], :] += dy[o, k, :]` (the backward of `gather`; repeated indices accumulate).
    public static func scatterAdd(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, indices: UnsafePointer<Int>, count: Int, outer: Int, n: Int, inner: Int) {
        // Split over `inner` columns: repeated indices then never race.
        Parallel.forRange(inner, costPerItem: outer * count) { cols in
            for o in 0..<outer {
                for k in 0..<count {
                    let src = dy + (o * count + k) * inner, dst = dx + (o * n + indices[k]) * inner
                    for j in cols { dst[j] += src[j] }
                }
            }
        }
    }

    /// Copies the `outer x width x inner` block of `x` (viewed as `outer x n x inner`) that starts
    /// at `start` on the middle axis into `y`; with `reverse`, writes `y` back into that block of `x`.
    public static func sliceCopy(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int, start: Int, width: Int, reverse: Bool = false) {
        Parallel.forRange(outer, costPerItem: width * inner) { os in
            for o in os {
                let block = x + (o * n + start) * inner, part = y + o * width * inner
                if reverse { block.update(from: part, count: width * inner) } else { part.update(from: block, count: width * inner) }
            }
        }
    }
}
