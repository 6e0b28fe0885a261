import Foundation
import Tensors

/// A tokenizer read from a Hugging Face `tokenizer.json`, of any family the file describes with
/// the components below, matching the Rust `tokenizers` library (what transformers' fast
/// tokenizers run) token for token.
///
/// It is built as `tokenizers` builds one: added tokens (`<s>`, `[MASK]`, ...) are found in the
/// raw text first; the text between them goes through a normalizer (`BertNormalizer`, `NFC`,
/// `NFKC`, `Lowercase`, `Replace`, `Precompiled`, ...), a pre-tokenizer that cuts it into pieces
/// (`ByteLevel`, `Metaspace`, `BertPreTokenizer`, `Split`, ...), and a model that turns each
/// piece into ids (`BPE`, `WordPiece`, `Unigram`); a post-processor then adds the special
/// tokens (`TemplateProcessing`, `RobertaProcessing`, `BertProcessing`). Truncation and padding
/// are those transformers asks for: longest first for pairs, padding on the right.
///
/// ```swift
/// let tokenizer = try PipelineTokenizer(directory: folder)   // tokenizer.json (+ tokenizer_config.json)
/// let ids = tokenizer.encode("A man plays a guitar.", maxLength: 64)
/// let batch = tokenizer.encodeBatch(sentences, maxLength: 64, padding: .longest)
/// ```
///
/// Load one with ``init(tokenizerJSONFile:configFile:)`` or ``init(directory:)`` (in
/// `PipelineTokenizer+Loading.swift`).
public struct PipelineTokenizer: Sendable {
    /// The ids of the special tokens.
    public struct SpecialTokens: Sendable, Equatable {
        /// The token the post-processor puts before a sequence (`[CLS]`, `<s>`), if any.
        public let classification: Int?
        /// The token it puts after a sequence (`[SEP]`, `</s>`), if any.
        public let separator: Int?
        /// The token that fills batches.
        public let padding: Int
        /// The model's token for what its vocabulary cannot spell, if it has one.
        public let unknown: Int?
    }

    /// The special token ids.
    public let specialTokens: SpecialTokens
    /// One more than the largest id, the model's or an added token's: the rows an embedding needs.
    public let vocabularySize: Int

    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    let model: any TokenizerModel
    let postProcessor: (any PostProcessor)?
    let addedTokens: AddedTokens
    /// Added tokens by id and by spelling; they take precedence over the model's, as in `tokenizers`.
    private let addedSpellings: [Int: String]
    private let addedIDs: [ExactString: Int]
    /// The ids of the added tokens marked special.
    let specialAddedIDs: Set<Int>
    /// The files it was read from, which ``save(to:maxLength:)`` writes back; `nil` for the
    /// pipelines that ``WordPieceTokenizer`` builds from a `vocab.txt`.
    let source: Source?

    /// The bytes of the files a tokenizer was read from.
    struct Source: Sendable {
        let tokenizerJSON: Data
        /// `tokenizer_config.json`, when there was one.
        let config: Data?
    }

    /// Assembles a pipeline; added tokens take the normalizer's spelling where they are matched
    /// after normalisation.
    init(
        normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?, model: any TokenizerModel,
        postProcessor: (any PostProcessor)?, addedTokens: [AddedTokens.Token], padding: Int, source: Source?
    ) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.addedTokens = AddedTokens(addedTokens, normalizer: normalizer)
        self.source = source
        let added = self.addedTokens.tokens.map { (id: $0.id, spelling: String(scalars: $0.content)) }
        addedSpellings = Dictionary(added.map { ($0.id, $0.spelling) }) { $1 }
        addedIDs = Dictionary(added.map { (ExactString($0.spelling), $0.id) }) { $1 }
        specialAddedIDs = Set(self.addedTokens.tokens.filter(\.special).map(\.id))
        vocabularySize = max(model.vocabularySize, (addedSpellings.keys.max() ?? -1) + 1)
        let single = Self.probe(postProcessor, pair: false)
        let first = single.firstIndex(of: -1) ?? 0, last = single.lastIndex(of: -1) ?? single.count - 1
        specialTokens = SpecialTokens(
            classification: first > 0 ? single[0] : nil, separator: last < single.count - 1 ? single.last : nil,
            padding: padding, unknown: model.unknownID)
    }

    /// What `postProcessor` makes of one sequence (`pair` false) or of a pair, each sequence a
    /// single id that no token has (-1): the special ids it adds, where it adds them.
    static func probe(_ postProcessor: (any PostProcessor)?, pair: Bool) -> [Int] {
        let sequences = [Encoding](repeating: Encoding(ids: [-1], tokenTypeIDs: [0]), count: pair ? 2 : 1)
        return postProcessor.map { joined($0.process(sequences)).ids } ?? [-1]
    }

    /// The id of `token` (its exact spelling, `Ġ` or `▁` for a leading space), if it is an added
    /// token or in the model's vocabulary.
    public func id(of token: String) -> Int? { addedIDs[exactly: token] ?? model.id(of: token) }

    // MARK: - Tokenising

    /// The ids of `text`, without special tokens and without truncation (added tokens written in
    /// the text are still their ids).
    public func pieceIDs(_ text: String) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3 + 4)
        for segment in addedTokens.rawSegments(of: scalars) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let range): appendIDs(of: scalars[range], startsInput: range.lowerBound == 0, to: &ids)
            }
        }
        return ids
    }

    /// Appends the ids of raw text between added tokens: normalised, cut around the added tokens
    /// matched after normalisation, pre-tokenized, then through the model.
    private func appendIDs(of text: ArraySlice<Unicode.Scalar>, startsInput: Bool, to ids: inout [Int]) {
        let normalized = normalizer.map { Array($0.normalize(String(scalars: text)).unicodeScalars) } ?? Array(text)
        for segment in addedTokens.normalizedSegments(of: normalized) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let range):
                let piece = TextPiece(scalars: Array(normalized[range]), startsInput: startsInput && range.lowerBound == 0)
                for piece in preTokenizer?.split([piece]) ?? [piece] { model.appendIDs(of: piece.scalars, to: &ids) }
            }
        }
    }

    /// The tokens of `text` as the vocabulary spells them, without special tokens.
    public func tokenize(_ text: String) -> [String] {
        decode(pieceIDs(text))
    }

    /// `text` with the special tokens, truncated to `maxLength` tokens (special tokens included)
    /// by dropping the text's last tokens.
    public func encode(_ text: String, maxLength: Int) -> [Int] {
        encoding(of: [pieceIDs(text)], maxLength: maxLength).ids
    }

    /// A sentence pair with the special tokens and the post-processor's token types, truncated
    /// to `maxLength` tokens longest first, as `tokenizers` does: the longer segment is cut to
    /// what the shorter leaves, or both to half the room (the second keeping an odd token).
    public func encode(pair: (String, String), maxLength: Int) -> Encoding {
        encoding(of: [pieceIDs(pair.0), pieceIDs(pair.1)], maxLength: maxLength)
    }

    /// Encodes `texts` and pads them into one batch (see ``Padding``).
    public func encodeBatch(_ texts: [String], maxLength: Int, padding: Padding) -> EncodedBatch {
        let limit = padding.truncationLength(maxLength)
        return padding.pad(texts.map { encoding(of: [pieceIDs($0)], maxLength: limit) }, padID: specialTokens.padding)
    }

    /// Encodes sentence `pairs` and pads them into one batch (see ``Padding``).
    public func encodeBatch(pairs: [(String, String)], maxLength: Int, padding: Padding) -> EncodedBatch {
        let limit = padding.truncationLength(maxLength)
        return padding.pad(pairs.map { encode(pair: $0, maxLength: limit) }, padID: specialTokens.padding)
    }

    /// The token spelling of each id; ids that are no token are left out, as `tokenizers` leaves
    /// them out.
    public func decode(_ ids: [Int]) -> [String] {
        ids.compactMap { addedSpellings[$0] ?? model.token(of: $0) }
    }

    /// One sequence or a pair, truncated (the first sequence's tokens have type 0, the second's 1,
    /// until the post-processor sets them), then post-processed.
    private func encoding(of sequences: [[Int]], maxLength: Int) -> Encoding {
        let added = postProcessor?.addedTokenCount(pair: sequences.count == 2) ?? 0
        ensure(maxLength >= added, "maxLength \(maxLength) leaves no room for the \(added) special tokens")
        let kept = Truncation.keptLengths(sequences.map(\.count), capacity: maxLength - added)
        let encodings = sequences.indices.map { index in
            Encoding(ids: Array(sequences[index].prefix(kept[index])), tokenTypeIDs: [Int](repeating: index, count: kept[index]))
        }
        return Self.joined(postProcessor?.process(encodings) ?? encodings)
    }

    private static func joined(_ encodings: [Encoding]) -> Encoding {
        Encoding(ids: encodings.flatMap(\.ids), tokenTypeIDs: encodings.flatMap(\.tokenTypeIDs))
    }
}
