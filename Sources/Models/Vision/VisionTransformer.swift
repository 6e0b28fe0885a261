import NeuralNetworks
import Tensors

/// What a Vision Transformer returns: every token after the final LayerNorm, and the CLS token.
public struct VisionTransformerOutput {
    /// `[N, patchCount + 1, hiddenSize]`, CLS first (Hugging Face's `last_hidden_state`): the image
    /// tokens ALBEF's fusion encoder and VLMo's fusion layers attend to.
    public let tokens: Tensor
    /// `[N, hiddenSize]`: the CLS token, the image embedding.
    public var cls: Tensor { tokens.slice(axis: 1, 0..<1).squeezed(axis: 1) }
}

/// A Vision Transformer (Dosovitskiy et al.) with Hugging Face's `ViTModel` names: `embeddings.…`
/// (patches, CLS token, positions), `encoder.layer.N.…` (pre-LN layers), `layernorm`.
///
/// ```swift
/// let random = RandomSource(seed: 0)
/// var g = RandomGenerator(seed: 1)
/// let vit = VisionTransformer(VisionTransformerConfiguration(preset: .tiny28), source: random, generator: &g)
/// let out = vit(images)   // images [N, 1, 28, 28]; out.cls [N, 64], out.tokens [N, 17, 64]
/// ```
public final class VisionTransformer: Module {
    public let configuration: VisionTransformerConfiguration
    public let embeddings: PatchEmbedding
    public let layers: [PreNormTransformerLayer]
    /// The final LayerNorm.
    public let norm: LayerNorm
    /// The dropout stream shared by every layer.
    public let source: RandomSource

    public init(_ c: VisionTransformerConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        self.source = source
        embeddings = PatchEmbedding(c, source: source, generator: &generator)
        layers = (0..<c.layers).map { _ in PreNormTransformerLayer(c.layer, source: source, generator: &generator) }
        norm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        super.init()
        register(child: embeddings, as: "embeddings")
        let encoder = Module()
        encoder.register(children: layers, as: "layer")
        register(child: encoder, as: "encoder")
        register(child: norm, as: "layernorm")
    }

    /// The width of the embeddings.
    public var featureSize: Int { configuration.hiddenSize }

    /// Encodes `images` `[N, channels, imageSize, imageSize]`.
    public func callAsFunction(_ images: Tensor) -> VisionTransformerOutput {
        var h = embeddings(images)
        for layer in layers { h = layer(h) }
        return VisionTransformerOutput(tokens: norm(h))
    }
}
