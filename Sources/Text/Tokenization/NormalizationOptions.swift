/// How text is normalised before it is split into words, mirroring the settings of Hugging
/// Face's `BertNormalizer` (`tokenizer.json`) and `BertTokenizer` (`tokenizer_config.json`).
public struct NormalizationOptions: Sendable, Equatable {
    /// Remove control characters, NUL and U+FFFD, and turn every whitespace character into a space.
    public var cleanText: Bool
    /// Make every CJK ideograph a word of its own (Chinese and Japanese text has no spaces).
    public var handleChineseCharacters: Bool
    /// Lower-case the text (uncased models).
    public var lowercase: Bool
    /// Strip accents (NFD decomposition, then drop nonspacing marks). `nil` follows `lowercase`,
    /// as Hugging Face does.
    public var stripAccents: Bool?

    /// Creates options; the defaults are those of uncased BERT models.
    public init(
        cleanText: Bool = true, handleChineseCharacters: Bool = true, lowercase: Bool = true,
        stripAccents: Bool? = nil
    ) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.lowercase = lowercase
        self.stripAccents = stripAccents
    }

    /// Whether accents are stripped once `nil` is resolved.
    var stripsAccents: Bool { stripAccents ?? lowercase }
}
