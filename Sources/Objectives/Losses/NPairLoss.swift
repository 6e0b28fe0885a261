import Tensors

/// The multi-class N-pair loss (Sohn 2016): InfoNCE on raw dot products at temperature 1, plus an
/// L2 penalty `λ (Σ‖f_i‖² + Σ‖f⁺_i‖²) / N` that keeps the unnormalised embeddings from growing.
///
/// ```swift
/// let loss = NPairLoss(l2Regularization: 0.002)(anchors: f, positives: fPositive)
/// ```
public struct NPairLoss {
    /// The weight `λ` of the L2 penalty on the embeddings.
    public var l2Regularization: Float

    /// Creates the loss.
    public init(l2Regularization: Float = 0.002) {
        self.l2Regularization = l2Regularization
    }

    /// The loss of `anchors` against `positives` (both `[N, d]`; row `i` of each is a pair).
    public func callAsFunction(anchors: Tensor, positives: Tensor) -> Tensor {
        ensure(anchors.rank == 2 && anchors.shape == positives.shape,
                     "NPairLoss: anchors and positives must both be [N, d], got \(anchors.shape) and \(positives.shape)")
        let contrastive = InfoNCELoss(similarity: DotProductSimilarity(), temperature: .fixed(1))(queries: anchors, keys: positives)
        guard l2Regularization != 0 else { return contrastive }
        let squaredNorms = (anchors * anchors).sum() + (positives * positives).sum()
        return contrastive + squaredNorms * (l2Regularization / Float(anchors.shape[0]))
    }
}
