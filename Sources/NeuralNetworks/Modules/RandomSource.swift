import Tensors

/// The one source of randomness a model's layers share during forward passes (dropout masks).
///
/// Every random layer of a model holds the same `RandomSource` and draws one Philox stream per
/// call, so the masks of a forward pass are a pure function of the source's state when the pass
/// begins. Gradient caching needs to run a forward twice with identical masks (once without
/// gradients to compute embeddings, once again with gradients): take a `snapshot()` before the
/// first run and `restore(_:)` it before the replay, and the masks come out bit for bit the same.
///
/// It is a class because the layers must share one mutable state; the state itself is the value
/// type `RandomGenerator`, so a snapshot is a copy, cheap and `Codable` for checkpoints.
///
/// ```swift
/// let random = RandomSource(seed: 42)
/// let dropout = Dropout(probability: 0.1, source: random)
/// let saved = random.snapshot()
/// let a = dropout(x)
/// random.restore(saved)
/// let b = dropout(x)   // a.scalars == b.scalars
/// ```
public final class RandomSource {
    /// The current generator state: its seed and the number of streams drawn so far.
    public private(set) var state: RandomGenerator

    /// A source whose first stream is stream 0 of `seed`.
    public init(seed: UInt64) { state = RandomGenerator(seed: seed) }

    /// A source that continues from `state` (for instance a restored checkpoint).
    public init(state: RandomGenerator) { self.state = state }

    /// The state to hand to `restore(_:)` for replaying what follows.
    public func snapshot() -> RandomGenerator { state }

    /// Rewinds (or forwards) to a state taken by `snapshot()`.
    public func restore(_ snapshot: RandomGenerator) { state = snapshot }

    /// Runs `body` from the state `snapshot` and leaves the source where it was afterwards, so a
    /// replay does not consume randomness twice.
    ///
    /// ```swift
    /// let before = random.snapshot()
    /// let embeddings = withoutGradient { model(batch) }
    /// let loss = random.replaying(from: before) { model(batch) }  // same masks, with gradients
    /// ```
    public func replaying<R>(from snapshot: RandomGenerator, _ body: () throws -> R) rethrows -> R {
        let current = state
        state = snapshot
        defer { state = current }
        return try body()
    }

    /// Where the rows being encoded start in the whole batch: 0 for a whole batch, `r` while rows
    /// `r..<r + k` are encoded on their own (a chunk under gradient caching, one process's share
    /// of a batch split across processes). Dropout gives those rows the masks they have in the
    /// whole batch's pass, as long as the batch's other axes (padded length) are the same.
    public private(set) var rowOffset = 0

    /// Runs `body` (a forward pass over rows `offset..<offset + k` of a batch) with `rowOffset`
    /// set to `offset`.
    ///
    /// ```swift
    /// let start = random.snapshot()
    /// let whole = model(batch)                                        // rows 0..<64
    /// random.restore(start)
    /// let tail = random.withRowOffset(32) { model(batch.rows(32..<64)) }  // same rows, same masks
    /// ```
    public func withRowOffset<R>(_ offset: Int, _ body: () throws -> R) rethrows -> R {
        let previous = rowOffset
        rowOffset = offset
        defer { rowOffset = previous }
        return try body()
    }

    /// Draws a fresh stream key; random layers call this once per forward.
    public func nextStream() -> (seed: UInt64, stream: UInt64) {
        (state.seed, state.nextStream())
    }
}
