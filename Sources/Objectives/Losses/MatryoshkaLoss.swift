import Tensors

/// Matryoshka representation learning (Kusupati et al. 2022) as sentence-transformers'
/// `MatryoshkaLoss`: any loss over embeddings, applied again to the first `d` dimensions of every
/// embedding for each of several `d`, and the results summed with weights. The leading
/// dimensions then carry most of the meaning, so embeddings can be truncated after training
/// (`--truncate-dim`) at little cost.
///
/// ```swift
/// let matryoshka = try MatryoshkaLoss(dimensions: [384, 256, 128, 64])
/// let nce = InfoNCELoss(temperature: .fixed(0.05))
/// let loss = matryoshka([anchors, positives]) { z in nce(queries: z[0], keys: z[1]) }
/// ```
public struct MatryoshkaLoss: Sendable, Equatable {
    /// The truncation widths, each applied to every embedding the inner loss receives.
    public let dimensions: [Int]
    /// One weight per width (sentence-transformers' default: all 1).
    public let weights: [Float]

    /// Why a list of widths or weights cannot make a Matryoshka loss.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// - Parameters:
    ///   - dimensions: distinct positive widths, in any order.
    ///   - weights: one finite, non-negative weight per width, not all zero (`nil`: all 1).
    /// - Throws: ``Problem`` naming what is wrong.
    public init(dimensions: [Int], weights: [Float]? = nil) throws {
        if let problem = Self.problem(dimensions: dimensions, weights: weights) { throw Problem(description: problem) }
        self.dimensions = dimensions
        self.weights = weights ?? [Float](repeating: 1, count: dimensions.count)
    }

    /// What is wrong with `dimensions` and `weights` as a Matryoshka loss's, or `nil`.
    public static func problem(dimensions: [Int], weights: [Float]?) -> String? {
        if dimensions.isEmpty { return "give at least one dimension" }
        if let bad = dimensions.first(where: { $0 < 1 }) { return "\(bad) is not a positive dimension" }
        if Set(dimensions).count != dimensions.count { return "\(dimensions.map(String.init).joined(separator: ",")) repeats a dimension" }
        guard let weights else { return nil }
        if weights.count != dimensions.count { return "\(weights.count) weights for \(dimensions.count) dimensions" }
        if let bad = weights.first(where: { !$0.isFinite || $0 < 0 }) { return "weight \(bad) is not a finite non-negative number" }
        if weights.allSatisfy({ $0 == 0 }) { return "the weights are all 0" }
        return nil
    }

    /// `Σ_i weights[i] · loss(every embedding cut to its first dimensions[i] columns)`.
    /// - Precondition: each embedding is `[rows, D]` with `D` at least the largest width.
    public func callAsFunction(_ embeddings: [Tensor], _ loss: ([Tensor]) -> Tensor) -> Tensor {
        var total: Tensor?
        for (width, weight) in zip(dimensions, weights) where weight != 0 {
            let cut = embeddings.map { z in
                ensure(z.rank == 2 && z.shape[1] >= width, "MatryoshkaLoss: embeddings of shape \(z.shape) are narrower than \(width)")
                return z.shape[1] == width ? z : z.slice(axis: 1, 0..<width)
            }
            let term = loss(cut) * weight
            total = total.map { $0 + term } ?? term
        }
        return total!
    }
}
