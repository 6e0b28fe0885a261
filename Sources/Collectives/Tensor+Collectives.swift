import Tensors

extension Tensor {
    /// Every process's rows of a batch, in rank order, with gradient: this tensor holds this
    /// process's `communicator.shard(of: rows)` rows; the result holds all `rows`.
    ///
    /// The backward sums the result's gradient over processes and returns this process's rows of
    /// the sum (all-gather's adjoint, a reduce-scatter). With a loss that every process computes
    /// on the gathered rows, and parameter gradients then averaged over processes, each parameter
    /// gets exactly the gradient of the single-process loss on the whole batch.
    public func allGathered(rows: Int, over communicator: any Communicator) -> Tensor {
        ensure(rank >= 1, "allGathered: needs a row axis, got a scalar")
        let counts = communicator.rowCounts(rows)
        let shard = communicator.shard(of: rows)
        ensure(shape[0] == shard.count, "allGathered: process \(communicator.rank) holds \(shape[0]) rows, its share of \(rows) is \(shard.count)")
        if communicator.size == 1 { return self }
        let width = count / Swift.max(shape[0], 1)
        let gathered = communicator.allGather(scalars, counts: counts.map { $0 * width })
        let out = Tensor(gathered, shape: [rows] + shape.dropFirst())
        return out.recorded("allGathered", [self]) { g in
            var sum = g.scalars
            communicator.allReduceSum(&sum)
            return [Tensor(Array(sum[(shard.lowerBound * width)..<(shard.upperBound * width)]), shape: [shard.count] + g.shape.dropFirst())]
        }
    }
}

extension Communicator {
    /// Replaces the gradient of each of `parameters` by its mean over processes (one collective
    /// over all of them). Parameters without a gradient are left alone; every process must have
    /// gradients for the same parameters.
    public func averageGradients(_ parameters: [Tensor]) {
        guard size > 1 else { return }
        let grads = parameters.compactMap(\.grad)
        var flat: [Float] = []
        flat.reserveCapacity(grads.reduce(0) { $0 + $1.count })
        for g in grads { g.withUnsafeBufferPointer { flat.append(contentsOf: $0) } }
        allReduceAverage(&flat)
        var offset = 0
        for g in grads {
            copy(flat, from: offset, into: g)
            offset += g.count
        }
    }

    /// Copies process `root`'s values of `tensors` into every process's (one collective).
    public func broadcast(_ tensors: [Tensor], root: Int = 0) {
        guard size > 1 else { return }
        var flat = tensors.flatMap(\.scalars)
        broadcast(&flat, root: root)
        var offset = 0
        for t in tensors {
            copy(flat, from: offset, into: t)
            offset += t.count
        }
    }
}

/// Copies `tensor.count` values of `flat` starting at `offset` into `tensor`, in place.
private func copy(_ flat: [Float], from offset: Int, into tensor: Tensor) {
    flat.withUnsafeBufferPointer { source in
        tensor.withUnsafeMutableBufferPointer { $0.baseAddress?.update(from: source.baseAddress! + offset, count: $0.count) }
    }
}
