import Tensors

/// Alignment (Wang & Isola 2020): the expected `‖f(x) - f(y)‖^α` over positive pairs of
/// L2-normalised embeddings; lower is better. A differentiable loss, and a dataset metric.
///
/// ```swift
/// let align = Alignment()                                      // α = 2
/// let loss = align.loss(z1, z2)
/// let sts = align.metric(left, right, goldScores: scores)      // STS pairs scored above 4
/// ```
public struct Alignment: Sendable {
    /// The exponent `α`.
    public var alpha: Float

    /// Creates the objective with exponent `alpha` (2 in the paper).
    public init(alpha: Float = 2) {
        ensure(alpha > 0, "Alignment: exponent \(alpha) must be positive")
        self.alpha = alpha
    }

    /// `mean_i ‖x̂_i - ŷ_i‖^α` for `x`, `y` `[N, d]` (normalised here).
    public func loss(_ x: Tensor, _ y: Tensor) -> Tensor {
        ensure(x.rank == 2 && x.shape == y.shape, "Alignment: embeddings must both be [N, d], got \(x.shape) and \(y.shape)")
        return EuclideanDistance(normalizesEmbeddings: true).paired(x, y).pow(alpha).mean()
    }

    /// The alignment of an STS-style dataset: over the pairs `(x_i, y_i)` whose gold score is
    /// strictly above `threshold` (SimCSE: score > 4 of 5). `nil` when no pair qualifies.
    public func metric(_ x: Tensor, _ y: Tensor, goldScores: [Float], threshold: Float = 4.0) -> Float? {
        ensure(x.rank == 2 && x.shape == y.shape && goldScores.count == x.shape[0],
                     "Alignment.metric: embeddings \(x.shape) and \(y.shape) need one gold score per row, got \(goldScores.count)")
        let positives = goldScores.indices.filter { goldScores[$0] > threshold }
        guard !positives.isEmpty else { return nil }
        return withoutGradient { loss(x.indexSelect(axis: 0, positives), y.indexSelect(axis: 0, positives)).item }
    }
}
