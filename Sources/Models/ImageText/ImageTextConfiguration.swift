import Foundation
import NeuralNetworks
import Text
import Tensors
import Vision

/// The shape of an image-text model, written as the folder's `image_text_config.json`: the
/// image tower (a ViT's fields), the text tower (a small BERT over the bundled uncased
/// vocabulary), the shared embedding size and the pixel normalisation.
public struct ImageTextConfiguration: Codable, Sendable, Equatable {
    /// `align` or `vlmo` (the key `ImageTextModelFolder` dispatches on).
    public var method: String
    public var imageSize: Int
    public var channels: Int
    public var patchSize: Int
    /// Width of the image tower (for VLMo, of the one multiway transformer).
    public var width: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    /// Width, depth and heads of ALIGN's text tower (VLMo shares the multiway transformer).
    public var textWidth: Int
    public var textLayers: Int
    public var textHeads: Int
    /// Longest caption, in WordPiece tokens with [CLS] and [SEP].
    public var maxLength: Int
    /// Size of the shared embedding space.
    public var embeddingSize: Int
    /// VLMo: how many top layers have a vision-language expert.
    public var visionLanguageLayers: Int
    public var normalization: ChannelNormalization

    /// Small defaults for images of `imageSize` pixels with `channels` channels: 16 patches,
    /// 64-wide 4-layer image tower, 64-wide 2-layer text tower, 64-dimensional shared space.
    public init(method: String, imageSize: Int, channels: Int, normalization: ChannelNormalization) {
        self.method = method
        self.imageSize = imageSize
        self.channels = channels
        patchSize = imageSize / 4
        width = 64
        layers = 4
        heads = 4
        intermediateSize = 256
        textWidth = 64
        textLayers = 2
        textHeads = 2
        maxLength = 16
        embeddingSize = 64
        visionLanguageLayers = 2
        self.normalization = normalization
    }

    /// The image tower as a ViT configuration.
    public var vision: VisionTransformerConfiguration {
        VisionTransformerConfiguration(imageSize: imageSize, patchSize: patchSize, channels: channels, hiddenSize: width,
                                       layers: layers, heads: heads, intermediateSize: intermediateSize)
    }

    /// `images` as one tensor of normalised pixels, `[N, C, H, W]`; images of another channel
    /// count or size (another data set's) are converted to grayscale or RGB and centre-cropped
    /// and resized first.
    public func pixels(_ images: [Image]) -> Tensor {
        let fitted = images.map { image in
            var image = image
            if image.channels != channels { image = channels == 3 ? image.rgb() : image.grayscale() }
            if image.height != imageSize || image.width != imageSize { image = image.centeredSquare(size: imageSize) }
            return image
        }
        return Tensor(images: fitted, normalization: normalization)
    }

    /// A BERT configuration over the bundled vocabulary of `vocabularySize` words.
    func text(width: Int, layers: Int, heads: Int, vocabularySize: Int) -> BertConfiguration {
        BertConfiguration(vocabularySize: vocabularySize, hiddenSize: width, layers: layers, heads: heads,
                          intermediateSize: 4 * width, hiddenDropout: 0, attentionDropout: 0, maxPositions: max(maxLength, 32))
    }

    /// Reads `image_text_config.json` in `directory`.
    static func read(from directory: URL) throws -> ImageTextConfiguration {
        let file = directory.appendingPathComponent(ImageTextModelFolder.configurationFile)
        do {
            return try JSONDecoder().decode(ImageTextConfiguration.self, from: Data(contentsOf: file))
        } catch {
            throw ModelFileError(file, "is not a valid image-text configuration (\(error.localizedDescription))")
        }
    }

    /// Writes this configuration and `weights` (`model.safetensors`) into `directory`.
    func write(weights: [String: Tensor], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(ImageTextModelFolder.configurationFile), options: .atomic)
        try SafeTensors.write(weights, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors").path)
    }

    /// Loads `model.safetensors` of `directory` into `module` (every weight must be there).
    static func loadWeights(into module: Module, from directory: URL) throws {
        let file = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: file.path) else { throw ModelFileError(file, "is missing") }
        let weights = try SafeTensorsFile(path: file.path).allTensors()
        _ = try module.load(stateDict: weights)
    }
}

/// What every image-text model starts from: the bundled uncased vocabulary's tokenizer and, from
/// the seed, the generator of its initial weights and the dropout source (seed + 1).
struct ImageTextInitialization {
    let tokenizer: WordPieceTokenizer
    var generator: RandomGenerator
    let source: RandomSource
    /// `log(1 / temperature)` at CLIP's initial temperature 0.07, where VLMo's learnable logit
    /// scale starts (ALIGN's starts at ``ALIGN/initialLogitScale``).
    static let logitScale = Foundation.log(Float(1) / 0.07)

    init(seed: UInt64) throws {
        tokenizer = try WordPieceTokenizer(vocabularyFile: SentenceEncoder.bundledVocabulary)
        generator = RandomGenerator(seed: seed)
        source = RandomSource(seed: seed &+ 1)
    }
}
