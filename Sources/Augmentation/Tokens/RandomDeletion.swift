import Tensors

/// EDA's random deletion (Wei and Zou 2019), on WordPiece tokens: each content token is dropped
/// with probability `probability`, and one random content token survives if all would go.
///
/// The EDA operations here act on WordPiece tokens, not whole words: they need neither the
/// vocabulary (to see which pieces continue a word) nor detokenisation, and the model sees
/// pieces anyway; deleting `##ing` from `play ##ing` is the same kind of noise as deleting a word.
///
/// ```swift
/// var generator = RandomGenerator(seed: 3)
/// let view = RandomDeletion(probability: 0.1).augment(ids, isSpecial: special.contains, generator: &generator)
/// ```
public struct RandomDeletion: TokenAugmentation, Equatable {
    /// EDA's default rate.
    public static let defaultProbability = 0.1

    /// The chance that each content token is dropped.
    public var probability: Double

    /// Deletion of each content token with chance `probability` in 0...1.
    public init(probability: Double = defaultProbability) {
        ensure((0...1).contains(probability), "RandomDeletion: probability \(probability) is outside 0...1")
        self.probability = probability
    }

    public func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int] {
        let content = ids.contentPositions(isSpecial: isSpecial)
        guard !content.isEmpty else { return ids }
        var deleted = Set(content.filter { _ in Double(generator.nextUniform()) < probability })
        // A view without content would carry no meaning to be a positive of.
        if deleted.count == content.count { deleted.remove(content[generator.nextInt(below: content.count)]) }
        return ids.indices.filter { !deleted.contains($0) }.map { ids[$0] }
    }
}
