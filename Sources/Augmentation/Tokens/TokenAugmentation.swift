import Tensors

/// An augmentation that edits one tokenised sequence into a positive view of it.
///
/// `ids` is one unpadded sequence with its special tokens (`[CLS] ... [SEP]`, or a pair
/// `[CLS] ... [SEP] ... [SEP]`); `isSpecial` tells which ids an augmentation must leave alone.
/// Every random choice is drawn from `generator`, so the same generator state gives the same view.
/// Conformers keep special tokens in place and in order; ``PaddedBatch/augmented(by:specialTokens:maxLength:generator:)``
/// applies one to every row of a batch and re-pads it.
///
/// ```swift
/// /// Reverses the content tokens of a single-sentence sequence.
/// struct Reversal: TokenAugmentation {
///     func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int] {
///         [ids[0]] + ids.dropFirst().dropLast().reversed() + [ids[ids.count - 1]]
///     }
/// }
/// var generator = RandomGenerator(seed: 0)
/// Reversal().augment([101, 7, 8, 9, 102], isSpecial: { $0 >= 100 }, generator: &generator)  // [101, 9, 8, 7, 102]
/// ```
public protocol TokenAugmentation: Sendable {
    /// A view of `ids` with the special tokens (those for which `isSpecial` holds) kept.
    func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int]
}
