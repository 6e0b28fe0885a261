import Tensors

/// ESimCSE's word repetition (Wu et al. 2021): some subword tokens appear twice in place, which
/// changes the length of a view without changing its meaning, so the model cannot tell positives
/// apart by length.
///
/// With `L` content (non-special) tokens, the number repeated is drawn uniformly from
/// `0..<min(maxRepetitions, floor(rate * L))`; when `floor(rate * L)` is 0 the sequence is
/// returned unchanged, as the reference code skips it. The repeated tokens are sampled without
/// replacement among the content tokens, and each copy is placed right after its original.
///
/// ```swift
/// var generator = RandomGenerator(seed: 1)
/// let view = WordRepetition().augment(ids, isSpecial: special.contains, generator: &generator)
/// // [CLS] a man man is playing a guitar guitar . [SEP]
/// ```
public struct WordRepetition: TokenAugmentation, Equatable {
    /// ESimCSE's default duplication rate.
    public static let defaultRate = 0.32

    /// `dup_rate`: bounds the number of repeated tokens relative to the content length.
    public var rate: Double
    /// The cap on repeated tokens whatever the length (10 in ESimCSE).
    public var maxRepetitions: Int

    /// Word repetition with duplication rate `rate` in 0...1.
    public init(rate: Double = defaultRate, maxRepetitions: Int = 10) {
        ensure((0...1).contains(rate), "WordRepetition: rate \(rate) is outside 0...1")
        ensure(maxRepetitions >= 1, "WordRepetition: maxRepetitions must be positive")
        self.rate = rate
        self.maxRepetitions = maxRepetitions
    }

    public func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int] {
        let content = ids.contentPositions(isSpecial: isSpecial)
        let bound = RateCount.floor(rate, of: content.count)
        guard bound > 0 else { return ids }
        let count = generator.nextInt(below: min(maxRepetitions, bound))
        let repeated = Set(generator.sample(count, of: content))
        var view: [Int] = []
        view.reserveCapacity(ids.count + count)
        for (position, id) in ids.enumerated() {
            view.append(id)
            if repeated.contains(position) { view.append(id) }
        }
        return view
    }
}
