import Augmentation
import Foundation
import Tensors

/// Ids shared by the tests: BERT-base's special ids, content ids from 1000 up (distinct, so a
/// view can be aligned with its original unambiguously).
enum Sample {
    static let special = SpecialTokenIDs(classification: 101, separator: 102, padding: 0)

    /// `[CLS]` followed by `count` distinct content ids and `[SEP]`.
    static func sentence(_ count: Int, from first: Int = 1000) -> [Int] {
        [101] + Array(first..<first + count) + [102]
    }

    /// `[CLS] a [SEP] b [SEP]` with `first` and `second` content tokens.
    static func pair(_ first: Int, _ second: Int) -> [Int] {
        [101] + Array(1000..<1000 + first) + [102] + Array(2000..<2000 + second) + [102]
    }

    /// `augmentation`'s view of `ids` under `seed`.
    static func view(_ augmentation: some TokenAugmentation, _ ids: [Int], seed: UInt64) -> [Int] {
        var generator = RandomGenerator(seed: seed)
        return augmentation.augment(ids, isSpecial: special.contains, generator: &generator)
    }

    /// The special tokens of `ids`, in order.
    static func specials(_ ids: [Int]) -> [Int] { ids.filter(special.contains) }

    /// The test fixture `name`.
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }
}
