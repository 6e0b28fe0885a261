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

    /// Draws a fresh stream key; random layers call this once per forward.
    public func nextStream() -> (seed: UInt64, stream: UInt64) {
        (state.seed, state.nextStream())
    }
}
