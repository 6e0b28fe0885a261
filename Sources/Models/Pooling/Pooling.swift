import Tensors

/// How token states become one sentence embedding, with SimCSE's names.
public enum PoolingMode: String, Sendable, CaseIterable, Codable {
    /// [CLS] through the pooler (dense + tanh): the pretrained pooler, or SimCSE's training MLP.
    case cls
    /// The last layer's raw [CLS] state.
    case clsBeforePooler = "cls_before_pooler"
    /// Mean of the last layer over the attention mask (sentence-transformers' default).
    case mean
    /// Maximum of the last layer over the attention mask.
    case max
    /// Mean over the mask of the average of the first transformer layer's output and the last.
    case avgFirstLast = "avg_first_last"
    /// Mean over the mask of the average of the last two layers.
    case avgTop2 = "avg_top2"

    /// Whether the mode reads the last layer at [CLS] only, so that the encoder may compute that
    /// layer for [CLS] alone (`BertModel`'s `lastLayerTokens`).
    public var readsFirstTokenOnly: Bool { self == .cls || self == .clsBeforePooler }

    /// The hidden states the mode reads: every layer's for the averages of two layers, else the
    /// last alone (so that inference frees the others as it goes).
    public var hiddenStates: KeptHiddenStates { self == .avgFirstLast || self == .avgTop2 ? .all : .last }
}

/// Sentence embeddings from a BERT output, differentiable (training uses them too).
public struct Pooling: Sendable, Equatable {
    public var mode: PoolingMode
    /// Whether embeddings are L2-normalised afterwards.
    public var normalize: Bool

    public init(mode: PoolingMode, normalize: Bool = false) {
        self.mode = mode
        self.normalize = normalize
    }

    /// `[batch, hidden]` embeddings. `pooler` overrides the model's own pooler for `.cls` (SimCSE
    /// trains with an MLP of the same shape).
    public func callAsFunction(_ output: BertOutput, attentionMask: [Int], pooler: ((Tensor) -> Tensor)? = nil) -> Tensor {
        let last = output.lastHiddenState
        let (batch, tokens) = (last.shape[0], last.shape[1])
        func cls(_ h: Tensor) -> Tensor { h.slice(axis: 1, 0..<1).squeezed(axis: 1) }
        func maskedMean(_ h: Tensor) -> Tensor {
            let m = Tensor(attentionMask.map(Float.init), shape: [batch, tokens, 1])
            let counts = Tensor(stride(from: 0, to: attentionMask.count, by: tokens).map {
                Swift.max(Float(attentionMask[$0..<($0 + tokens)].reduce(0, +)), 1e-9)
            }, shape: [batch, 1])
            return (h * m).sum(axis: 1) / counts
        }
        let states = output.hiddenStates
        ensure(mode.hiddenStates == .last || states.count > 2,
               "Pooling: mode \(mode.rawValue) reads more than the last layer, and the output kept only \(states.count) hidden state(s)")
        ensure(mode.readsFirstTokenOnly || batch * tokens == attentionMask.count,
               "Pooling: mode \(mode.rawValue) needs every token of the last layer, got \(last.shape) for \(attentionMask.count) mask values")
        let embedding: Tensor
        switch mode {
        case .cls:
            if let pooler {
                embedding = pooler(cls(last))
            } else {
                ensure(output.pooled != nil, "Pooling: mode cls needs a pooler, and the model has none (use cls_before_pooler)")
                embedding = output.pooled!
            }
        case .clsBeforePooler: embedding = cls(last)
        case .mean: embedding = maskedMean(last)
        case .max:
            let padding = Tensor(attentionMask.map { $0 != 0 ? 0 : 1 }, shape: [batch, tokens, 1])
            embedding = last.maskedFill(padding, -1e9).max(axis: 1)
        case .avgFirstLast: embedding = maskedMean((states[1] + last) * 0.5)
        case .avgTop2: embedding = maskedMean((states[states.count - 2] + last) * 0.5)
        }
        return normalize ? embedding.l2Normalized() : embedding
    }
}
