import Tensors

/// Inverted dropout: in training mode each element is zeroed with `probability` and the others
/// are scaled by `1 / (1 - probability)`; in evaluation mode it is the identity and draws nothing.
///
/// Masks come from the model's shared `RandomSource`, one stream per call, so restoring the
/// source's snapshot replays the same masks (see `RandomSource`). The first axis of the input is
/// the batch: under the source's `rowOffset`, rows get the masks of the same rows of a whole batch.
///
/// ```swift
/// let random = RandomSource(seed: 0)
/// let dropout = Dropout(probability: 0.1, source: random)
/// let y = dropout(x)
/// ```
public final class Dropout: Module {
    /// The probability of zeroing an element, in `[0, 1)`.
    public let probability: Float
    /// The random source shared with the rest of the model.
    public let source: RandomSource

    /// A dropout layer drawing its masks from `source`, shared with the rest of the model.
    public init(probability: Float, source: RandomSource) {
        ensure(probability >= 0 && probability < 1, "Dropout: probability \(probability) is outside [0, 1)")
        self.probability = probability
        self.source = source
        super.init()
    }

    /// `x` with dropout applied in training mode; `x` itself in evaluation mode.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard let (seed, stream, first) = nextMask(for: x) else { return x }
        return x.dropout(p: probability, seed: seed, stream: stream, first: first)
    }

    /// `self(x).matmul(other)` without keeping the dropped-out `x` for the backward, which
    /// regenerates it (attention's dropped-out probabilities times the values).
    public func matmul(_ x: Tensor, _ other: Tensor) -> Tensor {
        guard let (seed, stream, first) = nextMask(for: x) else { return x.matmul(other) }
        return x.matmulAfterDropout(other, p: probability, seed: seed, stream: stream, first: first)
    }

    /// Whether calls draw masks: in training mode with a probability above 0; otherwise dropout
    /// is the identity.
    public var isActive: Bool { isTraining && probability > 0 }

    /// The stream of the next mask and the index of `x`'s first element in it, or `nil` when no
    /// mask is drawn (evaluation mode or probability 0).
    private func nextMask(for x: Tensor) -> (seed: UInt64, stream: UInt64, first: Int)? {
        guard isActive else { return nil }
        let (seed, stream) = source.nextStream()
        let rowWidth = x.rank == 0 ? 0 : x.count / max(x.shape[0], 1)
        return (seed, stream, source.rowOffset * rowWidth)
    }
}
