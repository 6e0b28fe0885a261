import Tensors

/// The masks of one Cutoff draw: a multiplicative keep-mask for the word embeddings (1 keeps, 0
/// cuts; multiplied, so gradients flow to the kept entries) and the attention mask to use with it.
///
/// ```swift
/// let masks = Cutoff(.token).masks(for: batch, hiddenSize: 384, specialTokens: special, generator: &generator)
/// let output = bert(input, attentionMask: masks.attentionMask, wordEmbeddingHook: masks.wordEmbeddingHook)
/// ```
public struct CutoffMasks: Sendable, Equatable {
    /// The keep factors, row-major in ``keepShape``.
    public let keep: [Float]
    /// `[batch, tokens, 1]` for token and span cutoff (broadcast over features),
    /// `[batch, tokens, hidden]` for feature cutoff.
    public let keepShape: [Int]
    /// The batch's attention mask with cut positions zeroed, `[batch * tokens]` row-major.
    public let attentionMask: [Int]

    /// Creates masks; `keep` holds the product of `keepShape` factors.
    public init(keep: [Float], keepShape: [Int], attentionMask: [Int]) {
        ensure(keep.count == keepShape.reduce(1, *), "CutoffMasks: \(keep.count) factors for shape \(keepShape)")
        self.keep = keep
        self.keepShape = keepShape
        self.attentionMask = attentionMask
    }

    /// The keep-mask as a tensor (built on demand: tensors are not `Sendable`).
    public var keepTensor: Tensor { Tensor(keep, shape: keepShape) }

    /// `embeddings` (`[batch, tokens, hidden]`) times the keep-mask.
    public func apply(to embeddings: Tensor) -> Tensor {
        ensure(embeddings.rank == 3 && Array(embeddings.shape.prefix(2)) == Array(keepShape.prefix(2))
                     && (keepShape[2] == 1 || keepShape[2] == embeddings.shape[2]),
                     "CutoffMasks: embeddings of shape \(embeddings.shape) do not match the mask \(keepShape)")
        return embeddings * keepTensor
    }

    /// The masks of rows `range` of the batch (for encoding a batch in parts).
    public func rows(_ range: Range<Int>) -> CutoffMasks {
        ensure(range.lowerBound >= 0 && range.upperBound <= keepShape[0], "CutoffMasks: rows \(range) outside a batch of \(keepShape[0])")
        let perRow = keep.count / max(keepShape[0], 1), tokens = keepShape[1]
        return CutoffMasks(keep: Array(keep[(range.lowerBound * perRow)..<(range.upperBound * perRow)]),
                           keepShape: [range.count] + keepShape.dropFirst(),
                           attentionMask: Array(attentionMask[(range.lowerBound * tokens)..<(range.upperBound * tokens)]))
    }

    /// ``apply(to:)`` as a closure for `BertModel`'s `wordEmbeddingHook`.
    public var wordEmbeddingHook: (Tensor) -> Tensor { { embeddings in apply(to: embeddings) } }
}
