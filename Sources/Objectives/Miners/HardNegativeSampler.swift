import Foundation
import Tensors

/// ALBEF's hard-negative sampler for image-text matching: for each row (an image, say) draws one
/// negative column (a caption) with probability proportional to `softmax(similarity row)` over the
/// columns whose id differs from the row's, so pairs of the same image or caption are never drawn.
///
/// Draws are reproducible from the `RandomGenerator` (one uniform stream per row).
///
/// ```swift
/// var generator = RandomGenerator(seed: 7)
/// let sampler = HardNegativeSampler()
/// let negativeTexts = sampler.sample(similarities: simI2T, rowIDs: imageIDs, columnIDs: imageIDs, generator: &generator)
/// ```
public struct HardNegativeSampler: Sendable {
    /// Creates the sampler.
    public init() {}

    /// One column per row of `similarities` (`[R, C]`, logits such as `sim / τ`), or `nil` for a
    /// row whose every column shares its id (a batch with nothing to contrast: a data condition).
    public func sample(similarities: Tensor, rowIDs: [Int], columnIDs: [Int], generator: inout RandomGenerator) -> [Int?] {
        ensure(similarities.rank == 2 && similarities.shape == [rowIDs.count, columnIDs.count],
                     "HardNegativeSampler: similarities \(similarities.shape) must be [\(rowIDs.count), \(columnIDs.count)] for the given ids")
        let columns = columnIDs.count
        let values = similarities.scalars
        return rowIDs.indices.map { i in
            let row = values[(i * columns)..<((i + 1) * columns)]
            let allowed = columnIDs.indices.filter { columnIDs[$0] != rowIDs[i] }
            guard let top = allowed.map({ row[row.startIndex + $0] }).max() else { return nil }
            // Softmax weights restricted to the allowed columns, shifted by their maximum.
            let weights = allowed.map { Foundation.exp(Double(row[row.startIndex + $0] - top)) }
            let target = Double(generator.nextUniform()) * weights.reduce(0, +)
            var cumulative = 0.0
            for (column, weight) in zip(allowed, weights) {
                cumulative += weight
                if target < cumulative { return column }
            }
            // Rounding can leave `target` at the total; the last allowed column then owns it.
            return allowed.last
        }
    }
}
