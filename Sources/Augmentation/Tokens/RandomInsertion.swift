import Tensors

/// EDA's random insertion, on WordPiece tokens (see ``RandomDeletion`` for why pieces): with `L`
/// content tokens, `ceil(rate * L)` times a copy of a random content token is inserted at a random
/// place between the first and the last content token's neighbours, never before `[CLS]` or after
/// the final `[SEP]`.
///
/// EDA inserts synonyms; without a thesaurus, a copy of a word of the sentence is the closest
/// meaning-preserving insertion.
///
/// ```swift
/// var generator = RandomGenerator(seed: 4)
/// let view = RandomInsertion(rate: 0.1).augment(ids, isSpecial: special.contains, generator: &generator)
/// ```
public struct RandomInsertion: TokenAugmentation, Equatable {
    /// EDA's default rate.
    public static let defaultRate = 0.1

    /// The number of insertions relative to the content length.
    public var rate: Double

    /// `ceil(rate * L)` insertions, `rate` in 0...1.
    public init(rate: Double = defaultRate) {
        ensure((0...1).contains(rate), "RandomInsertion: rate \(rate) is outside 0...1")
        self.rate = rate
    }

    public func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int] {
        var view = ids
        let count = RateCount.ceiling(rate, of: ids.contentPositions(isSpecial: isSpecial).count)
        for _ in 0..<count {
            // Recomputed each time: earlier insertions are content the next ones may copy.
            let content = view.contentPositions(isSpecial: isSpecial)
            let copied = view[content[generator.nextInt(below: content.count)]]
            // Slots first...last + 1 lie inside the content region, specials around it stay put.
            let first = content[0], slots = content[content.count - 1] + 2 - first
            view.insert(copied, at: first + generator.nextInt(below: slots))
        }
        return view
    }
}
