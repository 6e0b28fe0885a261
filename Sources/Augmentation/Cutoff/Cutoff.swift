import Tensors

/// Cutoff (Shen et al. 2020): a view made by zeroing part of the input word embeddings, applied
/// inside the model (`wordEmbeddingHook`) rather than to the ids.
///
/// With `L` content tokens (real tokens that are not `[CLS]`, `[SEP]` or `[PAD]`) in a row:
/// - ``Kind/token``: `ceil(rate * L)` random content positions are zeroed and hidden from attention;
/// - ``Kind/span``: one run of `ceil(rate * L)` consecutive content tokens (consecutive among the
///   content tokens, so a pair's middle `[SEP]` is skipped, not cut) is zeroed and hidden;
/// - ``Kind/feature``: `ceil(rate * hidden)` random feature dimensions are zeroed at every content
///   position of the row; the attention mask is unchanged.
///
/// Special tokens and padding are never cut. Feature cutoff in the reference code also zeroes
/// `[CLS]`'s features; keeping them whole keeps CLS pooling's input token intact, like the other
/// two kinds.
///
/// ```swift
/// var generator = RandomGenerator(seed: 9)
/// let masks = Cutoff(.span, rate: 0.1).masks(
///     for: batch, hiddenSize: 384, specialTokens: special, generator: &generator)
/// let output = bert(input, attentionMask: masks.attentionMask, wordEmbeddingHook: masks.wordEmbeddingHook)
/// ```
public struct Cutoff: Sendable, Equatable {
    /// What is cut.
    public enum Kind: String, Sendable, CaseIterable {
        /// Random token positions.
        case token
        /// One contiguous span of tokens.
        case span
        /// Random feature dimensions.
        case feature
    }

    /// The paper's upper rate for token and span cutoff (it uses 0.05-0.1).
    public static let defaultRate = 0.1

    /// What is cut.
    public var kind: Kind
    /// The fraction of content tokens (token, span) or of features (feature) cut.
    public var rate: Double

    /// Cutoff of `kind` at `rate` in 0...1.
    public init(_ kind: Kind, rate: Double = defaultRate) {
        ensure((0...1).contains(rate), "Cutoff: rate \(rate) is outside 0...1")
        self.kind = kind
        self.rate = rate
    }

    /// Draws the masks for `batch` (whose ids tell special tokens apart and whose attention mask
    /// tells padding apart), for word embeddings of width `hiddenSize`. Rows are drawn in order.
    public func masks(
        for batch: PaddedBatch, hiddenSize: Int, specialTokens: SpecialTokenIDs, generator: inout RandomGenerator
    ) -> CutoffMasks {
        let (rows, tokens) = (batch.batchSize, batch.sequenceLength)
        var attentionMask = batch.attentionMask
        // Token and span cutoff keep or cut whole positions: one factor per position, broadcast
        // over the features. Feature cutoff needs one factor per feature and position.
        let width = kind == .feature ? hiddenSize : 1
        var keep = [Float](repeating: 1, count: rows * tokens * width)
        for row in 0..<rows {
            let start = row * tokens
            let content = (start..<start + tokens).filter {
                batch.attentionMask[$0] == 1 && !specialTokens.contains(batch.ids[$0])
            }
            switch kind {
            case .token, .span:
                for position in cutPositions(content, generator: &generator) {
                    keep[position] = 0
                    attentionMask[position] = 0
                }
            case .feature:
                let features = generator.sample(RateCount.ceiling(rate, of: hiddenSize), of: Array(0..<hiddenSize))
                for position in content {
                    for feature in features { keep[position * hiddenSize + feature] = 0 }
                }
            }
        }
        return CutoffMasks(keep: keep, keepShape: [rows, tokens, width], attentionMask: attentionMask)
    }

    /// The positions token or span cutoff removes among a row's `content` positions.
    private func cutPositions(_ content: [Int], generator: inout RandomGenerator) -> [Int] {
        let count = RateCount.ceiling(rate, of: content.count)
        guard count > 0 else { return [] }
        if kind == .token { return generator.sample(count, of: content) }
        let first = generator.nextInt(below: content.count - count + 1)
        return Array(content[first..<first + count])
    }
}
