import Tensors

/// EDA's random swap, on WordPiece tokens (see ``RandomDeletion`` for why pieces): with `L`
/// content tokens, `ceil(rate * L)` times two distinct random content tokens trade places.
/// Special tokens stay where they are; sequences with fewer than two content tokens are unchanged.
///
/// ```swift
/// var generator = RandomGenerator(seed: 5)
/// let view = RandomSwap(rate: 0.1).augment(ids, isSpecial: special.contains, generator: &generator)
/// ```
public struct RandomSwap: TokenAugmentation, Equatable {
    /// EDA's default rate.
    public static let defaultRate = 0.1

    /// The number of swaps relative to the content length.
    public var rate: Double

    /// `ceil(rate * L)` swaps, `rate` in 0...1.
    public init(rate: Double = defaultRate) {
        ensure((0...1).contains(rate), "RandomSwap: rate \(rate) is outside 0...1")
        self.rate = rate
    }

    public func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int] {
        let content = ids.contentPositions(isSpecial: isSpecial)
        guard content.count >= 2 else { return ids }
        var view = ids
        for _ in 0..<RateCount.ceiling(rate, of: content.count) {
            let pair = generator.sample(2, of: content)
            view.swapAt(pair[0], pair[1])
        }
        return view
    }
}
