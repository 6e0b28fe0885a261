import Foundation

/// A byte-level BPE tokenizer of the RoBERTa kind (GPT-2's byte-level BPE with `<s> text </s>`):
/// the ``PipelineTokenizer`` of such a `tokenizer.json`, with RoBERTa's named special tokens and
/// the decoding back to text that byte-level vocabularies allow.
///
/// Added tokens written in the text (`<s>`, `<mask>`, ...) are found first and kept whole. The
/// rest is cut with GPT-2's pattern, each piece spelled byte by byte in GPT-2's printable byte
/// alphabet (a space is `Ġ`) and merged by BPE, lowest merge rank first. No byte is ever
/// unknown, so there is no `<unk>` for ordinary text.
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
    /// The pipeline it runs: `ByteLevel`, `BPE`, `RobertaProcessing`.
    let pipeline: PipelineTokenizer

    /// Wraps a pipeline whose post-processor is `RobertaProcessing`.
    init(pipeline: PipelineTokenizer) {
        self.pipeline = pipeline
        specialTokens = SpecialTokens(
            classification: pipeline.classificationID, separator: pipeline.separatorID, padding: pipeline.paddingID,
            unknown: pipeline.specialTokens.unknown)
    }

    /// Number of distinct token ids: the model's vocabulary and the added tokens outside it.
    public var vocabularySize: Int { pipeline.vocabularySize }

    /// The id of `token` (exact spelling, `Ġ` for a leading space), if it is an added token or in
    /// the vocabulary.
    public func id(of token: String) -> Int? { pipeline.id(of: token) }

    // MARK: - Tokenising

    /// The ids of `text`, without special tokens and without truncation (added tokens written in
    /// the text are still their ids).
    public func pieceIDs(_ text: String) -> [Int] { pipeline.pieceIDs(text) }

    /// The tokens of `text` as the vocabulary spells them (`["ĠPl", "aying"]`), without special tokens.
    public func tokenize(_ text: String) -> [String] { pipeline.tokenize(text) }

    /// `<s> text </s>` as ids, truncated to `maxLength` tokens (special tokens included) by
    /// dropping the text's last tokens.
    public func encode(_ text: String, maxLength: Int = defaultMaxLength) -> [Int] {
        pipeline.encode(text, maxLength: maxLength)
    }

    /// `<s> first </s></s> second </s>`, truncated to `maxLength` tokens longest first. Token types
    /// are all 0: RoBERTa has no segment embedding.
    public func encode(pair: (String, String), maxLength: Int = defaultMaxLength) -> Encoding {
        pipeline.encode(pair: pair, maxLength: maxLength)
    }

    /// Encodes `texts` and pads them with `<pad>` into one batch (see ``Padding``).
    public func encodeBatch(
        _ texts: [String], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        pipeline.encodeBatch(texts, maxLength: maxLength, padding: padding)
    }

    /// Encodes sentence `pairs` and pads them with `<pad>` into one batch (see ``Padding``).
    public func encodeBatch(
        pairs: [(String, String)], maxLength: Int = defaultMaxLength, padding: Padding = .longest
    ) -> EncodedBatch {
        pipeline.encodeBatch(pairs: pairs, maxLength: maxLength, padding: padding)
    }

    // MARK: - Decoding

    /// The token spelling of each id (`Ġ` for a space); ids that are no token are left out, as
    /// `tokenizers` leaves them out.
    public func decode(_ ids: [Int]) -> [String] { pipeline.decode(ids) }

    /// The text of `ids`: the bytes the tokens spell, as UTF-8 (a sequence cut inside a character
    /// gives U+FFFD), with the special added tokens left out unless `skippingSpecialTokens` is
    /// false. The text of the encoded ids is the input text exactly; no spaces are cleaned up.
    public func decodeText(_ ids: [Int], skippingSpecialTokens: Bool = true) -> String {
        var bytes: [UInt8] = []
        for token in decode(skippingSpecialTokens ? ids.filter { !pipeline.specialAddedIDs.contains($0) } : ids) {
            ByteAlphabet.appendBytes(of: token, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
