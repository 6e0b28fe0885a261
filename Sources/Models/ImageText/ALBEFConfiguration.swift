import Foundation
import NeuralNetworks

/// The shape of an ``ALBEF`` model: a ViT, the first layers of a BERT as text encoder, the
/// remaining layers as fusion encoder with cross-attention, and the ITC projection width.
///
/// The defaults are a small model for 32 px Shapes images that trains from scratch on a laptop
/// CPU; the paper's (ViT-B/16 and BERT-base split 6 + 6, 256-d ITC) is the same structure wider.
public struct ALBEFConfiguration: Sendable, Equatable, Codable {
    /// Side of the square RGB input images.
    public var imageSize = 32
    /// Side of each image patch (it must divide `imageSize`).
    public var patchSize = 8
    /// Width of the image, text and fusion transformers.
    public var width = 64
    /// Attention heads of every transformer.
    public var heads = 4
    /// Feed-forward width of every transformer layer.
    public var feedForwardWidth = 256
    /// Vision Transformer layers.
    public var imageLayers = 3
    /// Text encoder layers (BERT's first layers).
    public var textLayers = 2
    /// Fusion encoder layers (BERT's last layers, with cross-attention to the image tokens).
    public var fusionLayers = 2
    /// Width of the image-text contrastive (ITC) space.
    public var embeddingSize = 64
    /// Longest caption in tokens, `[CLS]` and `[SEP]` included.
    public var maxLength = 24
    /// Initial ITC temperature (learnable, clamped to 0.001...0.5 as in ALBEF).
    public var temperature: Float = 0.07
    /// WordPiece vocabulary size (the bundled uncased vocabulary's).
    public var vocabularySize = 30_522

    public init() {}

    /// The Vision Transformer's configuration.
    public var vision: VisionTransformerConfiguration {
        VisionTransformerConfiguration(imageSize: imageSize, patchSize: patchSize, channels: 3, hiddenSize: width, layers: imageLayers,
                                       heads: heads, intermediateSize: feedForwardWidth)
    }

    /// The text encoder's BERT configuration (the fusion layers share its layer shape); no dropout:
    /// the models are small and the data synthetic.
    public var text: BertConfiguration {
        BertConfiguration(vocabularySize: vocabularySize, hiddenSize: width, layers: textLayers, heads: heads,
                          intermediateSize: feedForwardWidth, hiddenDropout: 0, attentionDropout: 0, maxPositions: max(maxLength, 32))
    }

    /// Checks the values a configuration file could get wrong.
    func validate(file: URL) throws(ModelFileError) {
        let positive = [imageSize, patchSize, width, heads, feedForwardWidth, textLayers, fusionLayers, embeddingSize, maxLength, vocabularySize]
        guard positive.allSatisfy({ $0 > 0 }), imageLayers >= 0, imageSize % patchSize == 0, width % heads == 0, maxLength >= 3,
              temperature > 0 else {
            throw ModelFileError(file, "invalid ALBEF configuration (sizes must be positive, the patch size must divide the image size and the heads the width)")
        }
    }
}
