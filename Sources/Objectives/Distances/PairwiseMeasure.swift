import Tensors

/// How close two batches of embeddings are, as a full matrix or row by row.
///
/// A measure is either a similarity (larger is closer: cosine, dot product) or a distance (smaller
/// is closer: Euclidean). Objectives never branch on which: they read `closeness`, which negates
/// distances, so a triplet loss or InfoNCE accepts any measure (negative squared Euclidean logits
/// give prototypical-network style InfoNCE).
///
/// ```swift
/// let d = EuclideanDistance(normalizesEmbeddings: true).pairwise(x, y)   // [n, m]
/// let c = CosineSimilarity().paired(a, b)                               // [n]
/// ```
public protocol PairwiseMeasure: Sendable {
    /// Whether larger values mean closer (similarities) rather than farther (distances).
    var largerIsCloser: Bool { get }
    /// The `[n, m]` matrix of the measure between every row of `x` (`[n, d]`) and every row of `y` (`[m, d]`).
    func pairwise(_ x: Tensor, _ y: Tensor) -> Tensor
    /// The `[n]` measure between row `i` of `x` and row `i` of `y` (both `[n, d]`).
    func paired(_ x: Tensor, _ y: Tensor) -> Tensor
}

extension PairwiseMeasure {
    /// `pairwise`, oriented so that larger is always closer (distances are negated).
    public func pairwiseCloseness(_ x: Tensor, _ y: Tensor) -> Tensor {
        let m = pairwise(x, y)
        return largerIsCloser ? m : -m
    }

    /// `paired`, oriented so that larger is always closer (distances are negated).
    public func pairedCloseness(_ x: Tensor, _ y: Tensor) -> Tensor {
        let m = paired(x, y)
        return largerIsCloser ? m : -m
    }
}

/// Shape checks shared by every measure, so a mismatch names the measure and both shapes.
enum MeasureShapes {
    static func checkPairwise(_ x: Tensor, _ y: Tensor, measure: String) {
        ensure(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1],
                     "\(measure).pairwise: embeddings must be [n, d] and [m, d], got \(x.shape) and \(y.shape)")
    }

    static func checkPaired(_ x: Tensor, _ y: Tensor, measure: String) {
        ensure(x.rank == 2 && x.shape == y.shape,
                     "\(measure).paired: embeddings must both be [n, d], got \(x.shape) and \(y.shape)")
    }
}

extension Tensor {
    /// Rows L2-normalised when `flag` is set; the same tensor otherwise.
    func l2Normalized(if flag: Bool) -> Tensor { flag ? l2Normalized() : self }

    /// `f(self)` and `f(other)`, calling `f` once when both are the same tensor (a batch against
    /// itself, as in SupCon and uniformity) so the work and the graph are not duplicated.
    func bothMapped(with other: Tensor, _ f: (Tensor) -> Tensor) -> (Tensor, Tensor) {
        let a = f(self)
        return (a, other === self ? a : f(other))
    }
}
