import Tensors

/// Cosine similarity `x·y / (‖x‖ ‖y‖)`: rows are L2-normalised (with `eps = 1e-12`, as
/// `F.normalize`) before a dot product. The measure of SimCSE, CLIP/ALIGN, MoCo and SupCon.
///
/// ```swift
/// let logits = CosineSimilarity().pairwise(z1, z2) / 0.05
/// ```
public struct CosineSimilarity: PairwiseMeasure {
    /// Creates the measure.
    public init() {}

    /// Always `true`: a similarity.
    public var largerIsCloser: Bool { true }

    /// `normalize(x) @ normalize(y)ᵀ`, one matrix product.
    public func pairwise(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPairwise(x, y, measure: "CosineSimilarity")
        let (a, b) = x.bothMapped(with: y) { $0.l2Normalized() }
        return a.matmul(b, transposeOther: true)
    }

    /// `Σ_k normalize(x)_ik normalize(y)_ik`.
    public func paired(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPaired(x, y, measure: "CosineSimilarity")
        let (a, b) = x.bothMapped(with: y) { $0.l2Normalized() }
        return (a * b).sum(axis: 1)
    }
}
