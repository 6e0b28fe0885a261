import Tensors

/// The widths and rates of a transformer layer.
public struct TransformerLayerConfiguration: Sendable {
    public var width: Int
    public var heads: Int
    public var feedForwardWidth: Int
    public var activation: Activation
    public var layerNormEps: Float
    public var hiddenDropout: Float
    public var attentionDropout: Float

    public init(width: Int, heads: Int, feedForwardWidth: Int, activation: Activation = .gelu, layerNormEps: Float = 1e-12,
                hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1) {
        self.width = width
        self.heads = heads
        self.feedForwardWidth = feedForwardWidth
        self.activation = activation
        self.layerNormEps = layerNormEps
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
    }
}

/// A post-LN transformer encoder layer (BERT), named as Hugging Face's `BertLayer`:
/// `attention`, optional `crossattention` (ALBEF's fusion layers), `intermediate.dense`, `output`.
///
/// `h = LN(x + Attention(x))`, then optionally `h = LN(h + CrossAttention(h, context))`,
/// then `y = LN(h + W2 act(W1 h))`.
public final class TransformerEncoderLayer: Module {
    public let attention: AttentionBlock
    public let crossAttention: AttentionBlock?
    public let intermediate: Linear
    public let output: ResidualOutput
    public let activation: Activation

    /// - Parameter crossAttentionWidth: the width of the context sequence when the layer also
    ///   attends to one (ALBEF's fusion encoder); `nil` for a plain encoder layer.
    public init(_ c: TransformerLayerConfiguration, crossAttentionWidth: Int? = nil, source: RandomSource, generator: inout RandomGenerator) {
        attention = AttentionBlock(width: c.width, heads: c.heads, eps: c.layerNormEps, attentionDropout: c.attentionDropout,
                                   hiddenDropout: c.hiddenDropout, source: source, generator: &generator)
        crossAttention = crossAttentionWidth.map {
            AttentionBlock(width: c.width, heads: c.heads, contextWidth: $0, eps: c.layerNormEps, attentionDropout: c.attentionDropout,
                           hiddenDropout: c.hiddenDropout, source: source, generator: &generator)
        }
        let feedForward = Module()
        intermediate = feedForward.register(child: Linear(inputSize: c.width, outputSize: c.feedForwardWidth, generator: &generator), as: "dense")
        output = ResidualOutput(inputSize: c.feedForwardWidth, outputSize: c.width, eps: c.layerNormEps, dropout: c.hiddenDropout,
                                source: source, generator: &generator)
        activation = c.activation
        super.init()
        register(child: attention, as: "attention")
        if let crossAttention { register(child: crossAttention, as: "crossattention") }
        register(child: feedForward, as: "intermediate")
        register(child: output, as: "output")
    }

    /// - Parameters:
    ///   - keyMask: `[batch, tokens]` additive mask over this sequence's tokens.
    ///   - context: the sequence cross-attention reads (required when the layer has one).
    ///   - contextMask: `[batch, context tokens]` additive mask over the context.
    ///   - queries: computes the output at these positions only (`[batch, queries.count, width]`):
    ///     they still attend to every token, so their values are those of the whole output, at a
    ///     fraction of the cost (a last layer read only at [CLS]).
    public func callAsFunction(_ x: Tensor, keyMask: Tensor? = nil, context: Tensor? = nil, contextMask: Tensor? = nil,
                               queries: Range<Int>? = nil) -> Tensor {
        var h = queries.map { attention(x.slice(axis: 1, $0), context: x, keyMask: keyMask) } ?? attention(x, keyMask: keyMask)
        if let crossAttention {
            ensure(context != nil, "TransformerEncoderLayer: a cross-attention layer needs a context sequence")
            h = crossAttention(h, context: context, keyMask: contextMask)
        }
        return output.feedForward(h, from: intermediate, activation: activation)
    }
}

/// A pre-LN transformer encoder layer (ViT, CLIP), named as Hugging Face's `ViTLayer`:
/// `layernorm_before`, `attention.attention`, `attention.output.dense`, `layernorm_after`,
/// `intermediate.dense`, `output.dense`; or, with ``CheckpointNaming/clip``, as `CLIPEncoderLayer`:
/// `layer_norm1`, `self_attn` (with `out_proj`), `layer_norm2`, `mlp.fc1`, `mlp.fc2`.
///
/// `h = x + Attention(LN(x))`, `y = h + W2 act(W1 LN(h))`.
public final class PreNormTransformerLayer: Module {
    public let normBefore: LayerNorm, normAfter: LayerNorm
    public let attention: MultiHeadAttention
    public let attentionOutput: Linear
    public let intermediate: Linear, output: Linear
    public let dropout: Dropout
    public let activation: Activation

    public init(_ c: TransformerLayerConfiguration, naming: CheckpointNaming = .bert, source: RandomSource, generator: inout RandomGenerator) {
        normBefore = LayerNorm(dimension: c.width, eps: c.layerNormEps)
        normAfter = LayerNorm(dimension: c.width, eps: c.layerNormEps)
        attention = MultiHeadAttention(width: c.width, heads: c.heads, dropout: c.attentionDropout, naming: naming, source: source, generator: &generator)
        attentionOutput = Linear(inputSize: c.width, outputSize: c.width, generator: &generator)
        intermediate = Linear(inputSize: c.width, outputSize: c.feedForwardWidth, generator: &generator)
        output = Linear(inputSize: c.feedForwardWidth, outputSize: c.width, generator: &generator)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        activation = c.activation
        super.init()
        switch naming {
        case .bert:
            let attentionBlock = Module(), attentionOutputBlock = Module(), intermediateBlock = Module(), outputBlock = Module()
            attentionBlock.register(child: attention, as: "attention")
            attentionOutputBlock.register(child: attentionOutput, as: "dense")
            attentionBlock.register(child: attentionOutputBlock, as: "output")
            intermediateBlock.register(child: intermediate, as: "dense")
            outputBlock.register(child: output, as: "dense")
            register(child: normBefore, as: "layernorm_before")
            register(child: attentionBlock, as: "attention")
            register(child: normAfter, as: "layernorm_after")
            register(child: intermediateBlock, as: "intermediate")
            register(child: outputBlock, as: "output")
        case .clip:
            // CLIP keeps the output projection beside q/k/v in its attention module.
            attention.register(child: attentionOutput, as: "out_proj")
            let mlp = Module()
            mlp.register(child: intermediate, as: "fc1")
            mlp.register(child: output, as: "fc2")
            register(child: attention, as: "self_attn")
            register(child: normBefore, as: "layer_norm1")
            register(child: mlp, as: "mlp")
            register(child: normAfter, as: "layer_norm2")
        }
        register(child: dropout, as: "dropout")
    }

    /// - Parameter keyMask: `[batch, tokens]` or `[batch, tokens, tokens]` additive mask (see
    ///   ``MultiHeadAttention/callAsFunction(_:context:keyMask:)``).
    public func callAsFunction(_ x: Tensor, keyMask: Tensor? = nil) -> Tensor {
        let context = attention(normBefore(x), keyMask: keyMask)
        // Without dropout each residual joins its product (`Linear`'s `residual`).
        guard dropout.isActive else {
            let h = attentionOutput(context, residual: x)
            return intermediate.feedForward(normAfter(h), activation: activation) { output($0, inputActivation: $1, residual: h) }
        }
        let h = x + dropout(attentionOutput(context))
        return h + dropout(intermediate.feedForward(normAfter(h), activation: activation) { output($0, inputActivation: $1) })
    }
}
