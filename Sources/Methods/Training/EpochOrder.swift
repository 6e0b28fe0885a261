import Tensors

/// Which examples each step of a run draws: every epoch a fresh shuffle of the `count` indices
/// from `(seed, epoch)`, cut into batches of `batchSize` (an epoch's incomplete last batch is
/// dropped). A step's batch depends only on the seed and the step, so resumed runs draw the same
/// ones; the shuffle is made once per epoch, not once per step.
final class EpochOrder {
    let count: Int, batchSize: Int, seed: UInt64
    private var current: (epoch: Int, order: [Int])?

    init(count: Int, batchSize: Int, seed: UInt64) {
        (self.count, self.batchSize, self.seed) = (count, batchSize, seed)
    }

    /// Whole batches per epoch.
    var batchesPerEpoch: Int { count / batchSize }

    /// The indices of step `step`'s batch (0-based steps).
    func indices(atStep step: Int) -> ArraySlice<Int> {
        let epoch = step / batchesPerEpoch, start = step % batchesPerEpoch * batchSize
        if current?.epoch != epoch {
            var generator = RandomGenerator(seed: seed, offset: UInt64(epoch) << 32)
            current = (epoch, generator.shuffled(Array(0..<count)))
        }
        return current!.order[start..<(start + batchSize)]
    }
}
