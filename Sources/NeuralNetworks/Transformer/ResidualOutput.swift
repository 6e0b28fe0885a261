import Tensors

/// `LayerNorm(dropout(dense(h)) + residual)`: the output block of a post-LN transformer sublayer,
/// named as Hugging Face's `BertSelfOutput` / `BertOutput` (`dense`, `LayerNorm`).
public final class ResidualOutput: Module {
    public let dense: Linear
    public let norm: LayerNorm
    public let dropout: Dropout

    /// - Parameter std: the standard deviation of the dense layer's initial weights.
    public init(inputSize: Int, outputSize: Int, eps: Float, dropout: Float, std: Float = Initialization.bertStandardDeviation,
                source: RandomSource, generator: inout RandomGenerator) {
        dense = Linear(inputSize: inputSize, outputSize: outputSize, std: std, generator: &generator)
        norm = LayerNorm(dimension: outputSize, eps: eps)
        self.dropout = Dropout(probability: dropout, source: source)
        super.init()
        register(child: dense, as: "dense")
        register(child: norm, as: "LayerNorm")
        register(child: self.dropout, as: "dropout")
    }

    /// `LayerNorm(dropout(dense(f(h))) + residual)`, where `inputActivation` f (the identity by
    /// default) is recomputed in the backward rather than kept (see `Linear`).
    /// Without dropout the residual joins the product (`Linear`'s `residual`).
    public func callAsFunction(_ h: Tensor, residual: Tensor, inputActivation: Activation? = nil) -> Tensor {
        guard dropout.isActive else { return norm(dense(h, inputActivation: inputActivation, residual: residual)) }
        return norm(dropout(dense(h, inputActivation: inputActivation)) + residual)
    }
}

extension ResidualOutput {
    /// `LayerNorm(h + dense(f(intermediate(h))))`: a post-LN feed-forward block whose residual is
    /// its input (BERT's, MPNet's). In inference it runs over blocks of rows
    /// (`Tensor.mappingRowBlocks`) whose intermediate, the widest activation of a layer, is at
    /// most 32 MB: in one piece it would set the peak of a long batch (100 MB for BERT-base at 16 × 512).
    public func feedForward(_ h: Tensor, from intermediate: Linear, activation f: Activation) -> Tensor {
        func block(_ h: Tensor) -> Tensor {
            intermediate.feedForward(h, activation: f) { self($0, residual: h, inputActivation: $1) }
        }
        // Blocks copy their results out, which a gradient could not follow: any recorded input
        // (the activations or a parameter of either product or the norm) takes the whole batch.
        // Without gradients (encoding) the parameters are not collected at all.
        guard !GradMode.isEnabled || !GradMode.records([h] + intermediate.parameters() + parameters()) else { return block(h) }
        return h.mappingRowBlocks(maximumRows: Self.inferenceRows(intermediateWidth: intermediate.outputSize), block)
    }

    /// Rows per block of ``feedForward(_:from:activation:)`` in inference.
    static func inferenceRows(intermediateWidth: Int) -> Int { Swift.max((32 << 20) / (MemoryLayout<Float>.stride * intermediateWidth), 1) }
}

/// Attention followed by its residual output block, named as Hugging Face's `BertAttention`
/// (`self`, `output`).
public final class AttentionBlock: Module {
    public let attention: MultiHeadAttention
    public let output: ResidualOutput

    public init(width: Int, heads: Int, contextWidth: Int? = nil, eps: Float, attentionDropout: Float, hiddenDropout: Float,
                source: RandomSource, generator: inout RandomGenerator) {
        attention = MultiHeadAttention(width: width, heads: heads, contextWidth: contextWidth, dropout: attentionDropout, source: source, generator: &generator)
        output = ResidualOutput(inputSize: width, outputSize: width, eps: eps, dropout: hiddenDropout, source: source, generator: &generator)
        super.init()
        register(child: attention, as: "self")
        register(child: output, as: "output")
    }

    public func callAsFunction(_ x: Tensor, context: Tensor? = nil, keyMask: Tensor? = nil) -> Tensor {
        output(attention(x, context: context, keyMask: keyMask), residual: x)
    }
}
