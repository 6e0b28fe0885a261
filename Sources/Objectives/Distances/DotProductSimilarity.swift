import Tensors

/// The raw inner product `x·y`, without normalisation: the N-pair loss (Sohn 2016), whose
/// embedding norms are kept in check by an L2 penalty instead.
///
/// ```swift
/// let logits = DotProductSimilarity().pairwise(f, fPositive)   // [n, n]
/// ```
public struct DotProductSimilarity: PairwiseMeasure {
    /// Creates the measure.
    public init() {}

    /// Always `true`: a similarity.
    public var largerIsCloser: Bool { true }

    /// `x @ yᵀ`.
    public func pairwise(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPairwise(x, y, measure: "DotProductSimilarity")
        return x.matmul(y, transposeOther: true)
    }

    /// `Σ_k x_ik y_ik`.
    public func paired(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPaired(x, y, measure: "DotProductSimilarity")
        return (x * y).sum(axis: 1)
    }
}
