import Tensors

/// The squared Euclidean distance `‖x - y‖²`, optionally between L2-normalised rows.
///
/// The pairwise matrix uses `‖x‖² + ‖y‖² - 2 x·y` (one matrix product instead of an `[n, m, d]`
/// difference tensor), clamped at 0 because rounding can make it slightly negative.
///
/// ```swift
/// let sq = SquaredEuclideanDistance(normalizesEmbeddings: true).pairwise(x, x)   // uniformity
/// ```
public struct SquaredEuclideanDistance: PairwiseMeasure {
    /// Whether rows are L2-normalised first (then `‖x - y‖² = 2 - 2 cos`).
    public var normalizesEmbeddings: Bool

    /// Creates the measure; raw embeddings unless `normalizesEmbeddings`.
    public init(normalizesEmbeddings: Bool = false) {
        self.normalizesEmbeddings = normalizesEmbeddings
    }

    /// Always `false`: a distance.
    public var largerIsCloser: Bool { false }

    /// `max(‖x_i‖² + ‖y_j‖² - 2 x_i·y_j, 0)` for every pair.
    public func pairwise(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPairwise(x, y, measure: "SquaredEuclideanDistance")
        let (a, b) = x.bothMapped(with: y) { $0.l2Normalized(if: normalizesEmbeddings) }
        let (aa, bb) = a.bothMapped(with: b) { ($0 * $0).sum(axis: 1) }
        let cross = a.matmul(b, transposeOther: true)
        return (cross * -2 + aa.reshaped([-1, 1]) + bb.reshaped([1, -1])).clamped(min: 0)
    }

    /// `Σ_k (x_ik - y_ik)²`, from the differences themselves (exact, no cancellation).
    public func paired(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPaired(x, y, measure: "SquaredEuclideanDistance")
        let (a, b) = x.bothMapped(with: y) { $0.l2Normalized(if: normalizesEmbeddings) }
        let diff = a - b
        return (diff * diff).sum(axis: 1)
    }
}
