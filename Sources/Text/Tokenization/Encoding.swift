import Tensors

/// The encoding of one text or one sentence pair, special tokens included, unpadded.
public struct Encoding: Sendable, Equatable {
    /// Token ids: `[CLS] a... [SEP]` or `[CLS] a... [SEP] b... [SEP]`.
    public var ids: [Int]
    /// The segment of each token, as the post-processor sets it: BERT's 0 for the first segment
    /// (with its `[CLS]` and `[SEP]`) and 1 for the second (with its `[SEP]`); RoBERTa's all 0.
    public var tokenTypeIDs: [Int]

    /// Creates an encoding; both arrays have the same length.
    public init(ids: [Int], tokenTypeIDs: [Int]) {
        ensure(ids.count == tokenTypeIDs.count, "ids and token type ids differ in length")
        self.ids = ids
        self.tokenTypeIDs = tokenTypeIDs
    }
}

/// How a batch is padded.
public enum Padding: Sendable, Equatable {
    /// To the longest sequence in the batch.
    case longest
    /// To this many tokens; longer sequences are truncated to it. At least the number of special
    /// tokens the tokenizer adds (2 for BERT, 3 for BERT's pairs).
    case fixed(Int)
}

/// A padded batch of encodings stored row-major and flat, `batchSize x sequenceLength`, ready to
/// become integer tensors.
public struct EncodedBatch: Sendable, Equatable {
    /// Number of rows.
    public let batchSize: Int
    /// Tokens per row, padding included.
    public let sequenceLength: Int
    /// Token ids, padded with the `[PAD]` id.
    public private(set) var ids: [Int]
    /// 1 for real tokens, 0 for padding.
    public private(set) var attentionMask: [Int]
    /// Segment of each token (0 or 1), 0 for padding.
    public private(set) var tokenTypeIDs: [Int]
    /// Number of real tokens in each row.
    public private(set) var lengths: [Int]

    /// Pads `encodings` with `padID` to `sequenceLength`, which must be at least the longest.
    init(_ encodings: [Encoding], sequenceLength: Int, padID: Int) {
        batchSize = encodings.count
        self.sequenceLength = sequenceLength
        let total = batchSize * sequenceLength
        ids = [Int](repeating: padID, count: total)
        attentionMask = [Int](repeating: 0, count: total)
        tokenTypeIDs = [Int](repeating: 0, count: total)
        lengths = encodings.map(\.ids.count)
        for (row, encoding) in encodings.enumerated() {
            let start = row * sequenceLength
            let count = encoding.ids.count
            ids.replaceSubrange(start..<start + count, with: encoding.ids)
            tokenTypeIDs.replaceSubrange(start..<start + count, with: encoding.tokenTypeIDs)
            attentionMask.replaceSubrange(start..<start + count, with: repeatElement(1, count: count))
        }
    }

    /// The padded ids of row `row`.
    public func ids(row: Int) -> ArraySlice<Int> {
        ids[row * sequenceLength..<(row + 1) * sequenceLength]
    }

    /// The attention mask of row `row`.
    public func attentionMask(row: Int) -> ArraySlice<Int> {
        attentionMask[row * sequenceLength..<(row + 1) * sequenceLength]
    }

    /// The token type ids of row `row`.
    public func tokenTypeIDs(row: Int) -> ArraySlice<Int> {
        tokenTypeIDs[row * sequenceLength..<(row + 1) * sequenceLength]
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
