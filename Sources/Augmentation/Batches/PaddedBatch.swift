import Tensors
import Text

/// A padded batch of token sequences, row-major and flat (`batchSize x sequenceLength`), laid out
/// like `Text`'s ``EncodedBatch`` (which only a tokenizer can build): what augmentations return,
/// ready for BERT.
///
/// ```swift
/// let batch = PaddedBatch(rows: [[101, 7, 102], [101, 102]], padID: 0)
/// batch.ids            // [101, 7, 102, 101, 102, 0]
/// batch.attentionMask  // [1, 1, 1, 1, 1, 0]
/// let input = TokenBatch(ids: batch.ids, attentionMask: batch.attentionMask,
///                        tokenTypeIDs: batch.tokenTypeIDs, batch: batch.batchSize, tokens: batch.sequenceLength)
/// ```
public struct PaddedBatch: Sendable, Equatable {
    /// Number of rows.
    public let batchSize: Int
    /// Tokens per row, padding included (the longest row).
    public let sequenceLength: Int
    /// Token ids, padded with the padding id.
    public let ids: [Int]
    /// 1 for real tokens, 0 for padding.
    public let attentionMask: [Int]
    /// Segment of each token, 0 for padding.
    public let tokenTypeIDs: [Int]
    /// Number of real tokens in each row.
    public let lengths: [Int]

    /// Pads `rows` with `padID` to the longest; `tokenTypes` (one per token, all 0 when `nil`).
    public init(rows: [[Int]], tokenTypes: [[Int]]? = nil, padID: Int) {
        ensure(tokenTypes.map { $0.map(\.count) == rows.map(\.count) } ?? true,
                     "PaddedBatch: token types and ids differ in length")
        batchSize = rows.count
        lengths = rows.map(\.count)
        let longest = lengths.max() ?? 0
        sequenceLength = longest
        func padded(_ row: [Int], with value: Int) -> [Int] {
            row + repeatElement(value, count: longest - row.count)
        }
        ids = rows.flatMap { padded($0, with: padID) }
        attentionMask = rows.flatMap { padded($0.map { _ in 1 }, with: 0) }
        tokenTypeIDs = (tokenTypes ?? rows.map { $0.map { _ in 0 } }).flatMap { padded($0, with: 0) }
    }

    /// The rows of a tokenizer's batch, re-padded to its longest row.
    public init(_ batch: EncodedBatch, padID: Int) {
        self.init(
            rows: (0..<batch.batchSize).map { Array(batch.ids(row: $0).prefix(batch.lengths[$0])) },
            tokenTypes: (0..<batch.batchSize).map { Array(batch.tokenTypeIDs(row: $0).prefix(batch.lengths[$0])) },
            padID: padID)
    }

    /// The unpadded ids of row `row`.
    public func ids(row: Int) -> ArraySlice<Int> { self.row(row, of: ids) }

    /// The unpadded token types of row `row`.
    public func tokenTypeIDs(row: Int) -> ArraySlice<Int> { self.row(row, of: tokenTypeIDs) }

    private func row(_ row: Int, of values: [Int]) -> ArraySlice<Int> {
        let start = row * sequenceLength
        return values[start..<start + lengths[row]]
    }
}
