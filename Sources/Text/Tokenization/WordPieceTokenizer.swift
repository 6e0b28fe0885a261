import Foundation

/// BERT's WordPiece tokenizer, matching Hugging Face's `BertTokenizerFast` token for token: the
/// ``PipelineTokenizer`` `BertNormalizer`, `BertPreTokenizer`, `WordPiece`, `BertProcessing`,
/// built from a `vocab.txt` (or from a BERT `tokenizer.json` alone), with BERT's named special
/// tokens and its decoding back to text.
///
/// Text is normalised and split into words (see ``NormalizationOptions``), then each word is cut
/// greedily into the longest vocabulary pieces, left to right, continuation pieces carrying the
/// `##` prefix. A word longer than 100 characters, or one that cannot be cut, becomes `[UNK]`.
/// Special tokens written in the text (`[SEP]`, `[MASK]`, ...) are kept whole, as Hugging Face
/// does.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(directory: modelFolder)
/// let ids = tokenizer.encode("A man is playing a guitar.")  // [101, 1037, ..., 102]
/// let batch = tokenizer.encodeBatch(sentences, maxLength: 128)
/// ```
///
/// Load one with ``init(vocabularyFile:options:)``, ``init(tokenizerJSONFile:)`` or
/// ``init(directory:)`` (in `WordPieceTokenizer+Loading.swift`).
public struct WordPieceTokenizer: Sendable {
    /// The ids of the special tokens.
    public struct SpecialTokens: Sendable, Equatable {
        /// `[CLS]`, which starts every sequence.
        public let classification: Int
        /// `[SEP]`, which ends every segment.
        public let separator: Int
        /// `[PAD]`, which fills batches.
        public let padding: Int
        /// `[UNK]`, for words the vocabulary cannot spell.
        public let unknown: Int
    }

    /// Hugging Face's default maximum sequence length for BERT.
    public static let defaultMaxLength = 512

    /// The normalisation settings in use.
    public let normalization: NormalizationOptions
    /// The special token ids.
    public let specialTokens: SpecialTokens
    /// Words with more characters than this become `[UNK]`.
    public let maxCharactersPerWord: Int

    private let vocabulary: Vocabulary
    private let pipeline: PipelineTokenizer

    /// Assembles a tokenizer; `file` is named in errors about missing special tokens.
    init(
        vocabulary: Vocabulary, options: NormalizationOptions, unknownToken: String,
        continuationPrefix: String, maxCharactersPerWord: Int, file: URL
    ) throws(TextFileError) {
        self.vocabulary = vocabulary
        normalization = options
        self.maxCharactersPerWord = maxCharactersPerWord
        let classification = try vocabulary.specialID("[CLS]", file: file)
        let separator = try vocabulary.specialID("[SEP]", file: file)
        let padding = try vocabulary.specialID("[PAD]", file: file)
        let model = try WordPieceModel(
            vocabulary: vocabulary, unknownToken: unknownToken, continuationPrefix: continuationPrefix,
            maxCharactersPerWord: maxCharactersPerWord, file: file)
        specialTokens = SpecialTokens(classification: classification, separator: separator, padding: padding, unknown: model.unknown)
        // BertTokenizerFast's added tokens: the special tokens, matched in the raw text.
        let specials = Set([unknownToken, "[CLS]", "[SEP]", "[PAD]", "[MASK]"]).compactMap { token in
            vocabulary.ids[exactly: token].map {
                AddedTokens.Token(
                    content: Array(token.unicodeScalars), id: $0, singleWord: false, stripsLeft: false, stripsRight: false,
                    normalized: false, special: true)
            }
        }
        pipeline = PipelineTokenizer(
            normalizer: BertNormalizer(options: options), preTokenizer: WordPreTokenizer.bert, model: model,
            postProcessor: BertProcessing(classification: specialTokens.classification, separator: specialTokens.separator),
            addedTokens: specials, padding: specialTokens.padding, source: nil)
    }

    /// Number of tokens in the vocabulary.
    public var vocabularySize: Int { vocabulary.tokens.count }

    /// The id of `token` (exact spelling, `##` included for continuations), if it is in the vocabulary.
    public func id(of token: String) -> Int? { vocabulary.ids[exactly: token] }

    // MARK: - Tokenising

    /// The WordPiece ids of `text`, without special tokens and without truncation.
    public func pieceIDs(_ text: String) -> [Int] { pipeline.pieceIDs(text) }

    /// The WordPiece tokens of `text` (`["play", "##ing"]`), without special tokens.
    public func tokenize(_ text: String) -> [String] {
        decode(pieceIDs(text))
    }

    /// `[CLS] text [SEP]` as ids, truncated to `maxLength` tokens (special tokens included).
    public func encode(_ text: String, maxLength: Int = defaultMaxLength) -> [Int] {
        pipeline.encode(text, maxLength: maxLength)
    }

    /// `[CLS] first [SEP] second [SEP]` with token types 0 then 1, truncated to `maxLength`
    /// tokens longest first.
    public func encode(pair: (String, String), maxLength: Int = defaultMaxLength) -> Encoding {
        pipeline.encode(pair: pair, maxLength: maxLength)
    }

    /// Encodes `texts` and pads them into one batch (see ``Padding``).
    public func encodeBatch(
        _ texts: [String], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        pipeline.encodeBatch(texts, maxLength: maxLength, padding: padding)
    }

    /// Encodes sentence `pairs` and pads them into one batch (see ``Padding``).
    public func encodeBatch(
        pairs: [(String, String)], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        pipeline.encodeBatch(pairs: pairs, maxLength: maxLength, padding: padding)
    }

    // MARK: - Decoding

    /// The token spelling of each id; ids outside the vocabulary become `[UNK]`'s spelling.
    public func decode(_ ids: [Int]) -> [String] {
        ids.map { vocabulary.tokens.indices.contains($0) ? vocabulary.tokens[$0] : vocabulary.tokens[specialTokens.unknown] }
    }

    /// The text of `ids`: tokens joined by spaces with `##` continuations glued to the previous
    /// token, `[CLS]`, `[SEP]` and `[PAD]` left out unless `skippingSpecialTokens` is false.
    /// Normalisation is not undone (an uncased model gives lower-case text), nor is the space
    /// before punctuation removed.
    public func decodeText(_ ids: [Int], skippingSpecialTokens: Bool = true) -> String {
        let skipped: Set<Int> = skippingSpecialTokens
            ? [specialTokens.classification, specialTokens.separator, specialTokens.padding] : []
        var text = ""
        for token in decode(ids.filter { !skipped.contains($0) }) {
            if token.hasPrefix("##") {
                text += token.dropFirst(2)
            } else {
                if !text.isEmpty { text += " " }
                text += token
            }
        }
        return text
    }
}
