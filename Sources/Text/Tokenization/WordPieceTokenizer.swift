import Tensors
import Foundation

/// BERT's WordPiece tokenizer, matching Hugging Face's `BertTokenizerFast` token for token.
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
    public var normalization: NormalizationOptions { basic.options }
    /// The special token ids.
    public let specialTokens: SpecialTokens
    /// Words with more characters than this become `[UNK]`.
    public let maxCharactersPerWord: Int

    private let vocabulary: Vocabulary
    private let basic: BasicTokenizer
    /// Trie node after the continuation prefix (`##`); `nil` when no token has it.
    private let continuationNode: VocabularyTrie.Node?
    /// Special tokens matched verbatim in the input (case-sensitive, before normalisation), longest
    /// first so that a spelling that is a prefix of another never wins.
    private let verbatimTokens: [(spelling: [UInt8], id: Int)]

    /// Assembles a tokenizer; `file` is named in errors about missing special tokens.
    init(
        vocabulary: Vocabulary, options: NormalizationOptions, unknownToken: String,
        continuationPrefix: String, maxCharactersPerWord: Int, file: URL
    ) throws(TextFileError) {
        self.vocabulary = vocabulary
        self.basic = BasicTokenizer(options: options)
        self.maxCharactersPerWord = maxCharactersPerWord
        specialTokens = SpecialTokens(
            classification: try vocabulary.specialID("[CLS]", file: file),
            separator: try vocabulary.specialID("[SEP]", file: file),
            padding: try vocabulary.specialID("[PAD]", file: file),
            unknown: try vocabulary.specialID(unknownToken, file: file))
        continuationNode = vocabulary.trie.node(after: continuationPrefix)
        verbatimTokens = Set([unknownToken, "[CLS]", "[SEP]", "[PAD]", "[MASK]"])
            .compactMap { token in vocabulary.ids[token].map { (Array(token.utf8), $0) } }
            .sorted { $0.spelling.count > $1.spelling.count }
    }

    /// Number of tokens in the vocabulary.
    public var vocabularySize: Int { vocabulary.tokens.count }

    /// The id of `token` (exact spelling, `##` included for continuations), if it is in the vocabulary.
    public func id(of token: String) -> Int? { vocabulary.ids[token] }

    // MARK: - Tokenising

    /// The WordPiece ids of `text`, without special tokens and without truncation.
    public func pieceIDs(_ text: String) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        forEachSegment(of: text) { segment in
            switch segment {
            case .special(let id): ids.append(id)
            case .text(let part): basic.forEachWord(in: part) { appendPieces(of: $0, to: &ids) }
            }
        }
        return ids
    }

    /// The WordPiece tokens of `text` (`["play", "##ing"]`), without special tokens.
    public func tokenize(_ text: String) -> [String] {
        decode(pieceIDs(text))
    }

    /// `[CLS] text [SEP]` as ids, truncated to `maxLength` tokens (special tokens included).
    public func encode(_ text: String, maxLength: Int = defaultMaxLength) -> [Int] {
        ensure(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        let pieces = pieceIDs(text)
        return [specialTokens.classification] + pieces.prefix(maxLength - 2) + [specialTokens.separator]
    }

    /// `[CLS] first [SEP] second [SEP]` with token types 0 then 1, truncated to `maxLength`
    /// tokens by removing tokens from the end of the longer segment first.
    public func encode(pair: (String, String), maxLength: Int = defaultMaxLength) -> Encoding {
        ensure(maxLength >= 3, "maxLength must leave room for [CLS] and two [SEP]")
        let first = pieceIDs(pair.0), second = pieceIDs(pair.1)
        let kept = Truncation.longestFirst(first.count, second.count, capacity: maxLength - 3)
        let ids = [specialTokens.classification] + first.prefix(kept.first) + [specialTokens.separator]
            + second.prefix(kept.second) + [specialTokens.separator]
        let types = [Int](repeating: 0, count: kept.first + 2) + [Int](repeating: 1, count: kept.second + 1)
        return Encoding(ids: ids, tokenTypeIDs: types)
    }

    /// Encodes `texts` and pads them into one batch (see ``Padding``).
    public func encodeBatch(
        _ texts: [String], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        let limit = Self.truncationLength(maxLength, padding)
        return Self.pad(texts.map { text in
            let ids = encode(text, maxLength: limit)
            return Encoding(ids: ids, tokenTypeIDs: [Int](repeating: 0, count: ids.count))
        }, padding: padding, padID: specialTokens.padding)
    }

    /// Encodes sentence `pairs` and pads them into one batch (see ``Padding``).
    public func encodeBatch(
        pairs: [(String, String)], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        let limit = Self.truncationLength(maxLength, padding)
        return Self.pad(pairs.map { encode(pair: $0, maxLength: limit) }, padding: padding, padID: specialTokens.padding)
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

    // MARK: - Internals

    private enum Segment {
        case text(Substring)
        case special(Int)
    }

    /// Splits `text` around verbatim special tokens, which bypass normalisation.
    private func forEachSegment(of text: String, _ body: (Segment) -> Void) {
        let utf8 = text.utf8
        var segmentStart = utf8.startIndex
        var index = utf8.startIndex
        while let bracket = utf8[index...].firstIndex(of: UInt8(ascii: "[")) {
            let rest = utf8[bracket...]
            if let match = verbatimTokens.first(where: { rest.starts(with: $0.spelling) }) {
                body(.text(text[segmentStart..<bracket]))
                body(.special(match.id))
                index = utf8.index(bracket, offsetBy: match.spelling.count)
                segmentStart = index
            } else {
                index = utf8.index(after: bracket)
            }
        }
        body(.text(text[segmentStart...]))
    }

    /// Appends the WordPiece ids of one normalised word, or `[UNK]` if it cannot be spelled.
    private func appendPieces(of word: [UInt8], to ids: inout [Int]) {
        // Count characters (not bytes): skip UTF-8 continuation bytes.
        var characters = 0
        for byte in word where byte & 0xC0 != 0x80 { characters += 1 }
        guard characters <= maxCharactersPerWord else {
            ids.append(specialTokens.unknown)
            return
        }
        let firstPiece = ids.count
        var start = 0
        while start < word.count {
            let node = start == 0 ? VocabularyTrie.root : continuationNode
            guard let node, let match = vocabulary.trie.longestMatch(in: word, at: start, from: node) else {
                ids.removeSubrange(firstPiece...)
                ids.append(specialTokens.unknown)
                return
            }
            ids.append(match.id)
            start = match.end
        }
    }

    /// The per-sequence truncation length: a fixed padding length also caps the sequence.
    private static func truncationLength(_ maxLength: Int, _ padding: Padding) -> Int {
        switch padding {
        case .longest: maxLength
        case .fixed(let length): min(maxLength, length)
        }
    }

    /// Pads `encodings` as `padding` asks.
    private static func pad(_ encodings: [Encoding], padding: Padding, padID: Int) -> EncodedBatch {
        let length = switch padding {
        case .longest: encodings.map(\.ids.count).max() ?? 0
        case .fixed(let length): length
        }
        return EncodedBatch(encodings, sequenceLength: length, padID: padID)
    }
}
