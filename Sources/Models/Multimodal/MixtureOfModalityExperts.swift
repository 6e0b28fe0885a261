import NeuralNetworks
import Tensors

/// Which feed-forward experts the tokens of a mixture-of-modality-experts layer go through.
public enum ModalityRouting: Sendable, Equatable {
    /// Image tokens only (dual-encoder image side): the vision expert in every layer.
    case vision
    /// Text tokens only (dual-encoder text side): the language expert in every layer.
    case language
    /// Text tokens followed by image tokens, `[text; image]` as VLMo concatenates them (fusion
    /// mode): below the top layers the first `languageTokens` tokens go through the language
    /// expert and the rest through the vision expert; layers with a vision-language expert send
    /// every token through it.
    case visionLanguage(languageTokens: Int)
}

/// One feed-forward expert of a mixture-of-modality-experts layer, the second half of a pre-LN
/// layer: `h + dropout(W2 act(W1 LN(h)))`, named as in a Hugging Face `ViTLayer`
/// (`layernorm_after`, `intermediate.dense`, `output.dense`).
public final class FeedForwardExpert: Module {
    public let norm: LayerNorm
    public let intermediate: Linear, output: Linear
    public let dropout: Dropout
    public let activation: Activation

    public init(_ c: TransformerLayerConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        norm = LayerNorm(dimension: c.width, eps: c.layerNormEps)
        intermediate = Linear(inputSize: c.width, outputSize: c.feedForwardWidth, generator: &generator)
        output = Linear(inputSize: c.feedForwardWidth, outputSize: c.width, generator: &generator)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        activation = c.activation
        super.init()
        let intermediateBlock = Module(), outputBlock = Module()
        intermediateBlock.register(child: intermediate, as: "dense")
        outputBlock.register(child: output, as: "dense")
        register(child: norm, as: "layernorm_after")
        register(child: intermediateBlock, as: "intermediate")
        register(child: outputBlock, as: "output")
        register(child: dropout, as: "dropout")
    }

    /// `h` plus the expert's feed-forward of `h` (`[batch, tokens, width]`).
    public func callAsFunction(_ h: Tensor) -> Tensor {
        h + dropout(output(activation(intermediate(norm(h)))))
    }
}

/// A mixture-of-modality-experts transformer layer (VLMo, Bao et al. 2022): pre-LN multi-head
/// self-attention shared by all modalities, then a feed-forward expert chosen by modality: vision
/// (V-FFN), language (L-FFN), and, in the top layers only, vision-language (VL-FFN).
///
/// Names: `layernorm_before`, `attention.attention.{query,key,value}`, `attention.output.dense` as a
/// Hugging Face `ViTLayer`, and `vision_expert.…`, `language_expert.…`, `vision_language_expert.…`
/// each as a `FeedForwardExpert`, so a ViT layer's weights can start the shared attention and the
/// vision expert (VLMo initialises from BEiT).
///
/// ```swift
/// let layer = MixtureOfModalityExpertsLayer(c, hasVisionLanguageExpert: true, source: random, generator: &g)
/// let image = layer(patches, routing: .vision)
/// let text = layer(words, routing: .language, keyMask: textMask)
/// let fused = layer(Tensor.concat([words, patches], axis: 1), routing: .visionLanguage(languageTokens: 32), keyMask: mask)
/// ```
public final class MixtureOfModalityExpertsLayer: Module {
    public let normBefore: LayerNorm
    public let attention: MultiHeadAttention
    public let attentionOutput: Linear
    public let dropout: Dropout
    public let visionExpert: FeedForwardExpert
    public let languageExpert: FeedForwardExpert
    /// Present in the top layers only.
    public let visionLanguageExpert: FeedForwardExpert?

    public init(_ c: TransformerLayerConfiguration, hasVisionLanguageExpert: Bool, source: RandomSource, generator: inout RandomGenerator) {
        normBefore = LayerNorm(dimension: c.width, eps: c.layerNormEps)
        attention = MultiHeadAttention(width: c.width, heads: c.heads, dropout: c.attentionDropout, source: source, generator: &generator)
        attentionOutput = Linear(inputSize: c.width, outputSize: c.width, generator: &generator)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        visionExpert = FeedForwardExpert(c, source: source, generator: &generator)
        languageExpert = FeedForwardExpert(c, source: source, generator: &generator)
        visionLanguageExpert = hasVisionLanguageExpert ? FeedForwardExpert(c, source: source, generator: &generator) : nil
        super.init()
        let attentionBlock = Module(), attentionOutputBlock = Module()
        attentionBlock.register(child: attention, as: "attention")
        attentionOutputBlock.register(child: attentionOutput, as: "dense")
        attentionBlock.register(child: attentionOutputBlock, as: "output")
        register(child: normBefore, as: "layernorm_before")
        register(child: attentionBlock, as: "attention")
        register(child: dropout, as: "dropout")
        register(child: visionExpert, as: "vision_expert")
        register(child: languageExpert, as: "language_expert")
        if let visionLanguageExpert { register(child: visionLanguageExpert, as: "vision_language_expert") }
    }

    /// Attends over all tokens of `x` (`[batch, tokens, width]`) and sends each token through the
    /// expert `routing` selects.
    ///
    /// - Parameter keyMask: `[batch, tokens]` additive mask (text padding; in fusion mode the image
    ///   positions are 0).
    public func callAsFunction(_ x: Tensor, routing: ModalityRouting, keyMask: Tensor? = nil) -> Tensor {
        ensure(x.rank == 3, "MixtureOfModalityExpertsLayer: input must be [batch, tokens, width], got \(x.shape)")
        let h = x + dropout(attentionOutput(attention(normBefore(x), keyMask: keyMask)))
        switch routing {
        case .vision:
            return visionExpert(h)
        case .language:
            return languageExpert(h)
        case .visionLanguage(let languageTokens):
            let tokens = x.shape[1]
            ensure(languageTokens >= 0 && languageTokens <= tokens,
                   "MixtureOfModalityExpertsLayer: \(languageTokens) language tokens in a sequence of \(tokens)")
            if let visionLanguageExpert { return visionLanguageExpert(h) }
            return Tensor.concat([languageExpert(h.slice(axis: 1, 0..<languageTokens)), visionExpert(h.slice(axis: 1, languageTokens..<tokens))], axis: 1)
        }
    }
}

/// VLMo's multiway transformer over already embedded tokens: `layers` mixture-of-modality-experts
/// layers, the top `visionLanguageLayers` of which have a vision-language expert, and a final
/// LayerNorm. Names: `encoder.layer.N.…`, `layernorm`.
///
/// One network serves VLMo's three uses: image encoder (`.vision`), text encoder (`.language`),
/// and fusion encoder (`.visionLanguage`) over `[text; image]` tokens.
///
/// ```swift
/// let backbone = MultiwayTransformer(layer: c, layers: 4, visionLanguageLayers: 2, source: random, generator: &g)
/// let imageTokens = backbone(patches, routing: .vision)
/// let fused = backbone(Tensor.concat([words, patches], axis: 1), routing: .visionLanguage(languageTokens: 32), keyMask: mask)
/// ```
public final class MultiwayTransformer: Module {
    public let layers: [MixtureOfModalityExpertsLayer]
    public let norm: LayerNorm

    public init(layer c: TransformerLayerConfiguration, layers count: Int, visionLanguageLayers: Int, source: RandomSource, generator: inout RandomGenerator) {
        ensure(count > 0 && (0...count).contains(visionLanguageLayers),
               "MultiwayTransformer: \(visionLanguageLayers) vision-language layers must be among the \(count) layers")
        layers = (0..<count).map { index in
            MixtureOfModalityExpertsLayer(c, hasVisionLanguageExpert: index >= count - visionLanguageLayers, source: source, generator: &generator)
        }
        norm = LayerNorm(dimension: c.width, eps: c.layerNormEps)
        super.init()
        let encoder = Module()
        encoder.register(children: layers, as: "layer")
        register(child: encoder, as: "encoder")
        register(child: norm, as: "layernorm")
    }

    /// Runs every layer with `routing`, then the final LayerNorm.
    public func callAsFunction(_ x: Tensor, routing: ModalityRouting, keyMask: Tensor? = nil) -> Tensor {
        var h = x
        for layer in layers { h = layer(h, routing: routing, keyMask: keyMask) }
        return norm(h)
    }
}
