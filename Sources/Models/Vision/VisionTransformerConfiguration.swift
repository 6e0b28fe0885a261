import NeuralNetworks
import Tensors

/// The shape of a Vision Transformer: image and patch size, and the width and depth of its
/// pre-LN encoder (Hugging Face's `ViTConfig` fields).
public struct VisionTransformerConfiguration: Sendable, Equatable {
    /// The side of the (square) input images, in pixels.
    public var imageSize: Int
    /// The side of each square patch; it must divide `imageSize`.
    public var patchSize: Int
    /// Input channels: 1 for grayscale, 3 for RGB.
    public var channels: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var layerNormEps: Float

    public init(imageSize: Int, patchSize: Int, channels: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                activation: Activation = .gelu, hiddenDropout: Float = 0, attentionDropout: Float = 0, layerNormEps: Float = 1e-6) {
        ensure(imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0,
               "VisionTransformerConfiguration: patch size \(patchSize) must divide image size \(imageSize)")
        ensure(channels > 0 && layers >= 0 && heads > 0 && hiddenSize % heads == 0,
               "VisionTransformerConfiguration: \(channels) channels, \(layers) layers, width \(hiddenSize) not divisible by \(heads) heads")
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.channels = channels
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.layerNormEps = layerNormEps
    }

    /// Named shapes small enough to train on a laptop CPU.
    public enum Preset: String, Sendable, CaseIterable {
        /// 28x28 grayscale (MNIST, Fashion-MNIST): patches of 7 (16 tokens + CLS), 64 wide, 4 layers, 4 heads, FFN 128.
        case tiny28
        /// 32x32 RGB (CIFAR): patches of 4 (64 tokens + CLS), 128 wide, 4 layers, 4 heads, FFN 256.
        case small32
        /// 48x48 RGB (downscaled STL-10, image-text pairs): patches of 6 (64 tokens + CLS), 128 wide, 4 layers, 4 heads, FFN 256.
        case small48
    }

    /// The configuration of a preset shape.
    public init(preset: Preset) {
        switch preset {
        case .tiny28: self.init(imageSize: 28, patchSize: 7, channels: 1, hiddenSize: 64, layers: 4, heads: 4, intermediateSize: 128)
        case .small32: self.init(imageSize: 32, patchSize: 4, channels: 3, hiddenSize: 128, layers: 4, heads: 4, intermediateSize: 256)
        case .small48: self.init(imageSize: 48, patchSize: 6, channels: 3, hiddenSize: 128, layers: 4, heads: 4, intermediateSize: 256)
        }
    }

    /// Patches per image (tokens without CLS).
    public var patchCount: Int { (imageSize / patchSize) * (imageSize / patchSize) }

    /// The configuration of each encoder layer.
    public var layer: TransformerLayerConfiguration {
        TransformerLayerConfiguration(width: hiddenSize, heads: heads, feedForwardWidth: intermediateSize, activation: activation,
                                      layerNormEps: layerNormEps, hiddenDropout: hiddenDropout, attentionDropout: attentionDropout)
    }
}
