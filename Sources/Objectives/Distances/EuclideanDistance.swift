import Tensors

/// The Euclidean distance `‖x - y‖₂`, optionally between L2-normalised rows (FaceNet-style
/// triplet losses normalise first, as pytorch-metric-learning does by default).
///
/// Computed as `sqrt(max(‖x - y‖², 1e-12))`: the square root's derivative is infinite at 0
/// (a batch against itself has a zero diagonal), and below the floor the clamp passes no gradient.
///
/// ```swift
/// let d = EuclideanDistance(normalizesEmbeddings: true).paired(anchors, positives)   // [n]
/// ```
public struct EuclideanDistance: PairwiseMeasure {
    /// The squared distance below which the distance is held at `sqrt(floor)`.
    public static let squaredFloor: Float = 1e-12

    /// Whether rows are L2-normalised first.
    public var normalizesEmbeddings: Bool

    /// Creates the measure; raw embeddings unless `normalizesEmbeddings`.
    public init(normalizesEmbeddings: Bool = false) {
        self.normalizesEmbeddings = normalizesEmbeddings
    }

    /// Always `false`: a distance.
    public var largerIsCloser: Bool { false }

    private var squared: SquaredEuclideanDistance { SquaredEuclideanDistance(normalizesEmbeddings: normalizesEmbeddings) }

    /// `sqrt(max(‖x_i - y_j‖², 1e-12))` for every pair.
    public func pairwise(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPairwise(x, y, measure: "EuclideanDistance")
        return squared.pairwise(x, y).clamped(min: Self.squaredFloor).sqrt()
    }

    /// `sqrt(max(‖x_i - y_i‖², 1e-12))` row by row.
    public func paired(_ x: Tensor, _ y: Tensor) -> Tensor {
        MeasureShapes.checkPaired(x, y, measure: "EuclideanDistance")
        return squared.paired(x, y).clamped(min: Self.squaredFloor).sqrt()
    }
}
