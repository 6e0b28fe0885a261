import Text

/// The ids augmentations never edit or cut: `[CLS]`, `[SEP]` and `[PAD]`, plus the separator and
/// padding ids re-padding needs.
///
/// `Text`'s ``WordPieceTokenizer/SpecialTokens`` can only come from a loaded vocabulary; this
/// small mirror can also be written by hand (in tests, or for another vocabulary).
///
/// ```swift
/// let special = SpecialTokenIDs(tokenizer)
/// let bertBase = SpecialTokenIDs(classification: 101, separator: 102, padding: 0)
/// bertBase.contains(102)  // true
/// ```
public struct SpecialTokenIDs: Sendable, Hashable {
    /// `[CLS]`, which starts every sequence.
    public var classification: Int
    /// `[SEP]`, which ends every segment (its count tells the segments apart).
    public var separator: Int
    /// `[PAD]`, which fills batches.
    public var padding: Int

    /// The special ids of a vocabulary, given directly.
    public init(classification: Int, separator: Int, padding: Int) {
        self.classification = classification
        self.separator = separator
        self.padding = padding
    }

    /// The special ids of a loaded tokenizer (`[UNK]` is content: a rare word is still a word).
    public init(_ tokenizer: any TextTokenizer) {
        self.init(classification: tokenizer.classificationID, separator: tokenizer.separatorID, padding: tokenizer.paddingID)
    }

    /// Whether `id` is one of the special ids.
    public func contains(_ id: Int) -> Bool {
        id == classification || id == separator || id == padding
    }
}
