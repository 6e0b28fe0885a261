import NeuralNetworks
import Tensors

/// ALBEF's multimodal encoder (Li et al. 2021): post-LN BERT layers that each attend to the text
/// (self-attention with its padding mask), then to the image tokens (cross-attention), then apply
/// the feed-forward block. Named as Hugging Face BERT layers with cross-attention:
/// `layer.N.attention.…`, `layer.N.crossattention.…`, `layer.N.intermediate.dense`, `layer.N.output.…`.
///
/// ```swift
/// let fusion = FusionEncoder(layer: bert.configuration.layer, layers: 2, imageWidth: 64, source: random, generator: &g)
/// let joint = fusion(text: textStates, textMask: mask, image: vit(images).tokens)   // [batch, tokens, width]
/// ```
public final class FusionEncoder: Module {
    public let layers: [TransformerEncoderLayer]

    /// - Parameter imageWidth: the width of the image tokens (the vision encoder's hidden size).
    public init(layer c: TransformerLayerConfiguration, layers count: Int, imageWidth: Int, source: RandomSource, generator: inout RandomGenerator) {
        ensure(count > 0, "FusionEncoder: needs at least one layer, got \(count)")
        layers = (0..<count).map { _ in TransformerEncoderLayer(c, crossAttentionWidth: imageWidth, source: source, generator: &generator) }
        super.init()
        register(children: layers, as: "layer")
    }

    /// Fuses `text` `[batch, tokens, width]` with `image` `[batch, imageTokens, imageWidth]`.
    ///
    /// - Parameters:
    ///   - textMask: `[batch, tokens]` additive mask over the text (padding), or `nil`.
    ///   - imageMask: `[batch, imageTokens]` additive mask over the image tokens, or `nil` (all attended).
    public func callAsFunction(text: Tensor, textMask: Tensor?, image: Tensor, imageMask: Tensor? = nil) -> Tensor {
        ensure(text.rank == 3 && image.rank == 3 && text.shape[0] == image.shape[0],
               "FusionEncoder: text \(text.shape) and image \(image.shape) must be [batch, tokens, width] with the same batch")
        var h = text
        for layer in layers { h = layer(h, keyMask: textMask, context: image, contextMask: imageMask) }
        return h
    }
}
