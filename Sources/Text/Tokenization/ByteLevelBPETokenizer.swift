import Foundation
import Tensors

/// A byte-level BPE tokenizer (GPT-2's, as RoBERTa uses it), matching Hugging Face `tokenizers`
/// token for token on RoBERTa-style `tokenizer.json` files.
///
/// Added tokens written in the text (`<s>`, `<mask>`, ...) are found first and kept whole. The
/// rest is cut with GPT-2's pattern (see `ByteLevelPreTokenizer`), each piece spelled byte by byte
/// in GPT-2's printable byte alphabet (a space is `Ġ`) and merged by BPE, lowest merge rank first.
/// Encodings are `<s> text </s>` (`RobertaProcessing`); no byte is ever unknown, so there is no
/// `<unk>` for ordinary text.
///
/// ```swift
/// let tokenizer = try ByteLevelBPETokenizer(tokenizerJSONFile: folder.appendingPathComponent("tokenizer.json"))
/// let ids = tokenizer.encode("A man is playing a guitar.")  // [0, 37, 552, ..., 2]
/// let batch = tokenizer.encodeBatch(sentences, maxLength: 64)
/// ```
///
/// Load one with ``init(tokenizerJSONFile:)`` (in `ByteLevelBPETokenizer+Loading.swift`).
public struct ByteLevelBPETokenizer: Sendable {
    /// The ids of the special tokens.
    public struct SpecialTokens: Sendable, Equatable {
        /// `<s>`, which starts every sequence (the post-processor's `cls`).
        public let classification: Int
        /// `</s>`, which ends every segment (the post-processor's `sep`).
        public let separator: Int
        /// `<pad>`, which fills batches.
        public let padding: Int
        /// The model's `unk_token`, for characters outside the vocabulary; byte-level
        /// vocabularies usually have none (every byte is a token).
        public let unknown: Int?
    }

    /// RoBERTa's maximum sequence length (514 positions, less the two its position ids skip).
    public static let defaultMaxLength = 512

    /// The special token ids.
    public let specialTokens: SpecialTokens
    /// Number of distinct tokens: the model's vocabulary and the added tokens outside it.
    public let vocabularySize: Int

    private let model: BPEModel
    private let preTokenizer: ByteLevelPreTokenizer
    private let addedTokens: AddedTokens
    /// Spelling of each model id (index = id).
    private let modelTokens: [String]
    /// Added tokens by id and by spelling; they take precedence over the model's, as in `tokenizers`.
    private let addedSpellings: [Int: String]
    private let addedIDs: [String: Int]
    /// Ids that `decodeText` leaves out: the added tokens marked special.
    private let specialIDs: Set<Int>
    /// The `tokenizer.json` it was read from, which ``save(to:maxLength:)`` writes back unchanged.
    let source: Data

    /// Assembles a tokenizer; `file` is named in errors about missing special tokens.
    init(
        model: BPEModel, modelTokens: [String], preTokenizer: ByteLevelPreTokenizer, addedTokens: AddedTokens,
        classification: Int, separator: Int, paddingToken: String, file: URL, source: Data
    ) throws(TextFileError) {
        self.source = source
        self.model = model
        self.modelTokens = modelTokens
        self.preTokenizer = preTokenizer
        self.addedTokens = addedTokens
        let added = addedTokens.tokens.map { (id: $0.id, spelling: String(String.UnicodeScalarView($0.content))) }
        addedSpellings = Dictionary(added.map { ($0.id, $0.spelling) }) { $1 }
        addedIDs = Dictionary(added.map { ($0.spelling, $0.id) }) { $1 }
        specialIDs = Set(addedTokens.tokens.filter(\.special).map(\.id))
        vocabularySize = Set(modelTokens).union(addedIDs.keys).count
        let padding = addedIDs[paddingToken] ?? model.vocabulary[paddingToken]
        guard let padding else { throw TextFileError(file: file, .missingSpecialToken(paddingToken)) }
        specialTokens = SpecialTokens(
            classification: classification, separator: separator, padding: padding, unknown: model.unknown)
    }

    /// The id of `token` (exact spelling, `Ġ` for a leading space), if it is an added token or in
    /// the vocabulary.
    public func id(of token: String) -> Int? { addedIDs[token] ?? model.vocabulary[token] }

    // MARK: - Tokenising

    /// The ids of `text`, without special tokens and without truncation (added tokens written in
    /// the text are still their ids).
    public func pieceIDs(_ text: String) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3 + 4)
        for segment in addedTokens.segments(of: scalars) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let range):
                preTokenizer.forEachPiece(of: scalars[range]) { model.appendIDs(of: $0, to: &ids) }
            }
        }
        return ids
    }

    /// The tokens of `text` as the vocabulary spells them (`["ĠPl", "aying"]`), without special tokens.
    public func tokenize(_ text: String) -> [String] {
        decode(pieceIDs(text))
    }

    /// `<s> text </s>` as ids, truncated to `maxLength` tokens (special tokens included) by
    /// dropping the text's last tokens.
    public func encode(_ text: String, maxLength: Int = defaultMaxLength) -> [Int] {
        ensure(maxLength >= 2, "maxLength must leave room for <s> and </s>")
        let pieces = pieceIDs(text)
        return [specialTokens.classification] + pieces.prefix(maxLength - 2) + [specialTokens.separator]
    }

    /// `<s> first </s></s> second </s>`, truncated to `maxLength` tokens by removing tokens from
    /// the end of the longer segment first. Token types are all 0: RoBERTa has no segment embedding.
    public func encode(pair: (String, String), maxLength: Int = defaultMaxLength) -> Encoding {
        ensure(maxLength >= 4, "maxLength must leave room for <s> and three </s>")
        let first = pieceIDs(pair.0), second = pieceIDs(pair.1)
        let kept = Truncation.longestFirst(first.count, second.count, capacity: maxLength - 4)
        let separator = specialTokens.separator
        let ids = [specialTokens.classification] + first.prefix(kept.first) + [separator, separator]
            + second.prefix(kept.second) + [separator]
        return Encoding(ids: ids, tokenTypeIDs: [Int](repeating: 0, count: ids.count))
    }

    /// Encodes `texts` and pads them with `<pad>` into one batch (see ``Padding``).
    public func encodeBatch(
        _ texts: [String], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        let limit = padding.truncationLength(maxLength)
        return padding.pad(texts.map { text in
            let ids = encode(text, maxLength: limit)
            return Encoding(ids: ids, tokenTypeIDs: [Int](repeating: 0, count: ids.count))
        }, padID: specialTokens.padding)
    }

    /// Encodes sentence `pairs` and pads them with `<pad>` into one batch (see ``Padding``).
    public func encodeBatch(
        pairs: [(String, String)], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        let limit = padding.truncationLength(maxLength)
        return padding.pad(pairs.map { encode(pair: $0, maxLength: limit) }, padID: specialTokens.padding)
    }

    // MARK: - Decoding

    /// The token spelling of each id (`Ġ` for a space); ids that are no token are left out, as
    /// `tokenizers` leaves them out.
    public func decode(_ ids: [Int]) -> [String] {
        ids.compactMap { id in addedSpellings[id] ?? (modelTokens.indices.contains(id) ? modelTokens[id] : nil) }
    }

    /// The text of `ids`: the bytes the tokens spell, as UTF-8 (a sequence cut inside a character
    /// gives U+FFFD), with the special added tokens left out unless `skippingSpecialTokens` is
    /// false. The text of the encoded ids is the input text exactly; no spaces are cleaned up.
    public func decodeText(_ ids: [Int], skippingSpecialTokens: Bool = true) -> String {
        var bytes: [UInt8] = []
        for token in decode(skippingSpecialTokens ? ids.filter { !specialIDs.contains($0) } : ids) {
            ByteAlphabet.appendBytes(of: token, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Padding {
    /// The per-sequence truncation length: a fixed padding length also caps the sequence.
    func truncationLength(_ maxLength: Int) -> Int {
        switch self {
        case .longest: maxLength
        case .fixed(let length): min(maxLength, length)
        }
    }

    /// Pads `encodings` into a batch as this padding asks.
    func pad(_ encodings: [Encoding], padID: Int) -> EncodedBatch {
        let length = switch self {
        case .longest: encodings.map(\.ids.count).max() ?? 0
        case .fixed(let length): length
        }
        return EncodedBatch(encodings, sequenceLength: length, padID: padID)
    }
}
