import Foundation
import NeuralNetworks
import Objectives
import Tensors
import Text
import Vision

/// ALIGN (Jia et al. 2021): a dual encoder, an image tower (here a small ViT) and a text tower
/// (a small BERT from scratch over the bundled uncased vocabulary), each followed by a linear
/// projection into a shared space of L2-normalised embeddings, trained with the symmetric InfoNCE
/// loss over in-batch negatives and a learnable temperature (a log logit scale, as CLIP).
///
/// ```swift
/// let align = try ALIGN(ImageTextConfiguration(method: "align", imageSize: 28, channels: 1, normalization: .fashionMNIST), seed: 0)
/// let loss = align.contrast.symmetric(align.imageEmbeddings(pixels), align.textEmbeddings(captions))
/// ```
public final class ALIGN: Module, DualEncoderModel {
    public static let method = "align"
    public let configuration: ImageTextConfiguration
    public let tokenizer: WordPieceTokenizer
    public let imageEncoder: VisionTransformer
    public let textEncoder: BertModel
    public let imageProjection: Linear, textProjection: Linear
    /// `log(1 / temperature)`, learned, scale at most 100; starts at ``initialLogitScale``.
    public let logitScale: Tensor

    /// The logit scale a new model starts from: 100, the bound the trainer clamps it to after each
    /// step, rather than CLIP's 1/0.07. Under Adam the scale's log moves by about the learning
    /// rate per step, about 1 over a default caption-file run (2,000 steps, peak 1e-3, cosine), so
    /// from 1/0.07 it ended near 37 while longer runs reach the bound; starting there, the scale
    /// still falls where the loss's gradient asks (docs/methods/align.md, "Temperature").
    public static let initialLogitScale = Foundation.log(Float(100))

    public init(_ c: ImageTextConfiguration, seed: UInt64) throws {
        configuration = c
        var start = try ImageTextInitialization(seed: seed)
        let (source, tokenizer) = (start.source, start.tokenizer)
        self.tokenizer = tokenizer
        imageEncoder = VisionTransformer(c.vision, source: source, generator: &start.generator)
        textEncoder = BertModel(c.text(width: c.textWidth, layers: c.textLayers, heads: c.textHeads, vocabularySize: tokenizer.vocabularySize),
                                withPooler: false, source: source, generator: &start.generator)
        imageProjection = Linear(inputSize: c.width, outputSize: c.embeddingSize, generator: &start.generator)
        textProjection = Linear(inputSize: c.textWidth, outputSize: c.embeddingSize, generator: &start.generator)
        logitScale = Tensor(scalar: Self.initialLogitScale)
        super.init()
        register(child: imageEncoder, as: "vision_model")
        register(child: textEncoder, as: "text_model")
        register(child: imageProjection, as: "visual_projection")
        register(child: textProjection, as: "text_projection")
        register(parameter: logitScale, as: "logit_scale")
    }

    /// Normalised embeddings of `images` (`[N, C, H, W]`, normalised pixels), with gradients as the scope has them.
    public func imageEmbeddings(_ images: Tensor) -> Tensor {
        imageProjection(imageEncoder(images).cls).l2Normalized()
    }

    /// Normalised embeddings of `texts` ([CLS] state, projected), with gradients as the scope has them.
    public func textEmbeddings(_ texts: [String]) -> Tensor { textEmbeddings(tokens(texts)) }

    /// Normalised embeddings of tokenized captions.
    public func textEmbeddings(_ batch: TokenBatch) -> Tensor {
        textProjection(textEncoder(batch).lastHiddenState.slice(axis: 1, 0..<1).squeezed(axis: 1)).l2Normalized()
    }

    public func encodeImages(_ images: [Image]) -> Tensor {
        ImageTextBatching.evaluate(self, images.count) { range in
            imageEmbeddings(configuration.pixels(Array(images[range])))
        }
    }

    public func encodeTexts(_ texts: [String]) -> Tensor {
        ImageTextBatching.evaluate(self, texts.count) { range in textEmbeddings(Array(texts[range])) }
    }

    public func save(to directory: URL) throws {
        try configuration.write(weights: stateDict(), to: directory)
    }

    public static func load(from directory: URL) throws -> ALIGN {
        let model = try ALIGN(ImageTextConfiguration.read(from: directory), seed: 0)
        try ImageTextConfiguration.loadWeights(into: model, from: directory)
        return model
    }
}

/// Batching shared by the image-text models.
enum ImageTextBatching {
    /// The rows `embed` gives for `0..<count` in chunks of `chunk`, concatenated, in evaluation
    /// mode without gradients.
    static func evaluate(_ module: Module, _ count: Int, chunk: Int = 256, _ embed: (Range<Int>) -> Tensor) -> Tensor {
        let wasTraining = module.isTraining
        module.eval()
        defer { module.train(wasTraining) }
        return withoutGradient {
            let parts = stride(from: 0, to: count, by: chunk).map { embed($0..<min($0 + chunk, count)) }
            ensure(!parts.isEmpty, "ImageTextModel: nothing to encode")
            return parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 0)
        }
    }
}
