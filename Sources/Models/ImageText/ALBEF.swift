import Foundation
import NeuralNetworks
import Tensors
import Text
import Vision

/// The unimodal half of ALBEF that has a momentum copy: the image and text encoders and their
/// ITC projections (`visual_encoder`, `text_encoder` and `vision_proj`/`text_proj` in ALBEF).
public final class ALBEFEncoders: Module {
    public let vision: VisionTransformer
    /// BERT's first layers, without a pooler.
    public let text: BertModel
    /// ITC projections: a linear map then a batch normalisation without scale (an addition to
    /// ALBEF's plain linear maps). Randomly initialised encoders give nearly the same `[CLS]` for
    /// every input; centring each feature over the batch leaves the differences, so ITC learns from
    /// the first step instead of stalling at chance.
    public let visionProjection: ProjectionHead
    public let textProjection: ProjectionHead

    public init(_ c: ALBEFConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        vision = VisionTransformer(c.vision, source: source, generator: &generator)
        text = BertModel(c.text, withPooler: false, source: source, generator: &generator)
        visionProjection = ProjectionHead(inputSize: c.width, hiddenSize: c.width, outputSize: c.embeddingSize, layers: 1,
                                          outputBatchNorm: true, generator: &generator)
        textProjection = ProjectionHead(inputSize: c.width, hiddenSize: c.width, outputSize: c.embeddingSize, layers: 1,
                                        outputBatchNorm: true, generator: &generator)
        super.init()
        register(child: vision, as: "visual_encoder")
        register(child: text, as: "text_encoder")
        register(child: visionProjection, as: "vision_proj")
        register(child: textProjection, as: "text_proj")
    }

    /// Image tokens `[N, patches + 1, width]` of `images` `[N, 3, size, size]`.
    public func imageTokens(_ images: Tensor) -> Tensor { vision(images).tokens }

    /// Text states `[B, tokens, width]` of `batch`.
    public func textStates(_ batch: TokenBatch) -> Tensor { text(batch).lastHiddenState }

    /// Unit-length ITC features of the image tokens' CLS.
    public func imageFeatures(_ tokens: Tensor) -> Tensor { visionProjection(cls(tokens)).l2Normalized() }

    /// Unit-length ITC features of the text states' `[CLS]`.
    public func textFeatures(_ states: Tensor) -> Tensor { textProjection(cls(states)).l2Normalized() }

    private func cls(_ tokens: Tensor) -> Tensor { tokens.slice(axis: 1, 0..<1).squeezed(axis: 1) }
}

/// ALBEF (Li et al. 2021, "Align before Fuse"): image-text contrastive alignment (ITC) of a
/// ViT and a text encoder, then a fusion encoder whose cross-attention to the image tokens
/// serves image-text matching (ITM, a 2-way head on the fused `[CLS]`) and masked language
/// modelling (MLM, a head tied to the word embeddings).
///
/// ```swift
/// let model = try ALBEF(ALBEFConfiguration(), seed: 0)
/// let tokens = model.encoders.imageTokens(Tensor(images: images, normalization: ALBEF.normalization))
/// let batch = model.tokenize(["a small red circle left of a large blue square"])
/// let p = model.matchProbability(textStates: model.encoders.textStates(batch), textMask: batch.attentionMask, imageTokens: tokens)
/// ```
public final class ALBEF: Module, ImageTextModel {
    public let configuration: ALBEFConfiguration
    public let tokenizer: WordPieceTokenizer
    public let encoders: ALBEFEncoders
    /// BERT's last layers, with cross-attention to the image tokens.
    public let fusion: FusionEncoder
    /// ITM: matched or not, from the fused `[CLS]` (class 1 = match).
    public let itmHead: Linear
    /// MLM transform (dense, GELU, LayerNorm) before the decoder tied to the word embeddings.
    public let mlmTransform: Linear
    public let mlmNorm: LayerNorm
    public let mlmBias: Tensor
    /// The learnable ITC temperature (a scalar).
    public let temperature: Tensor

    /// Pixel statistics applied to every image (inputs in [0, 1] mapped to about [-1, 1]).
    public static let normalization = ChannelNormalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    /// The method name written in saved folders' `image_text_config.json`.
    public static let method = "albef"

    /// A randomly initialised model (BERT initialisation, seeded) with the bundled uncased vocabulary.
    public convenience init(_ c: ALBEFConfiguration, seed: UInt64) throws {
        let tokenizer = try WordPieceTokenizer(vocabularyFile: SentenceEncoder.bundledVocabulary)
        var configuration = c
        configuration.vocabularySize = tokenizer.vocabularySize
        self.init(configuration, tokenizer: tokenizer, seed: seed)
    }

    init(_ c: ALBEFConfiguration, tokenizer: WordPieceTokenizer, seed: UInt64) {
        configuration = c
        self.tokenizer = tokenizer
        var generator = RandomGenerator(seed: seed)
        let source = RandomSource(seed: seed &+ 1)
        encoders = ALBEFEncoders(c, source: source, generator: &generator)
        fusion = FusionEncoder(layer: c.text.layer, layers: c.fusionLayers, imageWidth: c.width, source: source, generator: &generator)
        Self.scaleToFanIn(fusion)
        itmHead = Linear(inputSize: c.width, outputSize: 2, generator: &generator)
        mlmTransform = Linear(inputSize: c.width, outputSize: c.width, generator: &generator)
        mlmNorm = LayerNorm(dimension: c.width, eps: 1e-12)
        mlmBias = Tensor.zeros([c.vocabularySize])
        temperature = Tensor(scalar: c.temperature)
        super.init()
        register(child: encoders, as: "encoders")
        register(child: fusion, as: "fusion_encoder")
        register(child: itmHead, as: "itm_head")
        let mlm = Module()
        mlm.register(child: mlmTransform, as: "dense")
        mlm.register(child: mlmNorm, as: "LayerNorm")
        _ = mlm.register(parameter: mlmBias, as: "bias")
        register(child: mlm, as: "mlm_head")
        _ = register(parameter: temperature, as: "temp")
    }

    /// Rescales the fusion encoder's BERT-initialised matrices (normal, std 0.02) to std
    /// `1/sqrt(fan-in)`, an addition to ALBEF (whose fusion layers start from pretrained BERT).
    /// At width 64 from scratch, 0.02 gives each map a gain of 0.16: the image moved the fused
    /// `[CLS]` by 0.3% of its norm, the image-text interaction ITM needs started near zero, and
    /// the head stayed at its label prior for whole runs.
    private static func scaleToFanIn(_ module: Module) {
        for (name, weight) in module.namedParameters() where weight.rank == 2 && name.hasSuffix("weight") {
            let factor = 1 / (Float(weight.shape[1]).squareRoot() * Initialization.bertStandardDeviation)
            weight.withUnsafeMutableBufferPointer { values in
                for index in values.indices { values[index] *= factor }
            }
        }
    }

    /// Captions as one padded batch of at most `maxLength` tokens.
    public func tokenize(_ texts: [String]) -> TokenBatch {
        TokenBatch(tokenizer.encodeBatch(texts, maxLength: configuration.maxLength))
    }

    /// The images as a normalised `[N, 3, size, size]` tensor (resized when their size differs).
    public func imageTensor(_ images: [Image]) -> Tensor {
        let size = configuration.imageSize
        let fitted = images.map { $0.height == size && $0.width == size ? $0 : $0.resized(height: size, width: size) }
        return Tensor(images: fitted, normalization: Self.normalization)
    }

    /// Fused states `[B, tokens, width]` of text states and image tokens of the same batch size.
    public func fuse(textStates: Tensor, textMask: [Int], imageTokens: Tensor) -> Tensor {
        let mask = MultiHeadAttention.additiveMask(textMask, batch: textStates.shape[0], tokens: textStates.shape[1])
        return fusion(text: textStates, textMask: mask, image: imageTokens)
    }

    /// ITM logits `[B, 2]` of text-image pairs (row `b` of each input is one pair).
    public func matchLogits(textStates: Tensor, textMask: [Int], imageTokens: Tensor) -> Tensor {
        let fused = fuse(textStates: textStates, textMask: textMask, imageTokens: imageTokens)
        return itmHead(fused.slice(axis: 1, 0..<1).squeezed(axis: 1))
    }

    /// The ITM probability that each pair matches, `[B]`.
    public func matchProbability(textStates: Tensor, textMask: [Int], imageTokens: Tensor) -> [Float] {
        let probabilities = matchLogits(textStates: textStates, textMask: textMask, imageTokens: imageTokens).softmax().scalars
        return (0..<textStates.shape[0]).map { probabilities[2 * $0 + 1] }
    }

    /// MLM logits `[rows, vocabulary]` of the fused states at `positions` (flat `batch * tokens` indices).
    public func mlmLogits(fused: Tensor, positions: [Int]) -> Tensor {
        let rows = fused.reshaped([fused.shape[0] * fused.shape[1], fused.shape[2]]).gatherRows(positions)
        let h = mlmNorm(mlmTransform(rows).gelu())
        // The decoder is the word-embedding matrix, transposed (BERT's tied weights).
        return h.matmul(encoders.text.embeddings.words.weight, transposeOther: true) + mlmBias
    }

    /// Unit-length ITC features `[images.count, embeddingSize]`, in batches, without gradient.
    public func encodeImages(_ images: [Image]) -> Tensor {
        encodeInBatches(images.count) { encoders.imageFeatures(encoders.imageTokens(imageTensor(Array(images[$0])))) }
    }

    /// Unit-length ITC features `[texts.count, embeddingSize]`, in batches, without gradient.
    public func encodeTexts(_ texts: [String]) -> Tensor {
        encodeInBatches(texts.count) { encoders.textFeatures(encoders.textStates(tokenize(Array(texts[$0])))) }
    }

    /// The ITM match probability of every caption with every image, `[texts.count, images.count]`.
    public func matchScores(texts: [String], images: [Image]) -> Tensor? {
        let index = ALBEFRetrieval(model: self, images: images, texts: texts)
        return Tensor(texts.indices.flatMap { index.matchScores(text: $0, images: Array(images.indices)) }, shape: [texts.count, images.count])
    }

    private func encodeInBatches(_ count: Int, batchSize: Int = 128, _ encode: (Range<Int>) -> Tensor) -> Tensor {
        ensure(count > 0, "ALBEF: nothing to encode")
        eval()
        return withoutGradient {
            Tensor.concat(stride(from: 0, to: count, by: batchSize).map { encode($0..<min($0 + batchSize, count)) }, axis: 0)
        }
    }

    /// The temperature as ALBEF clamps it.
    public var clampedTemperature: Float { min(max(temperature.item, 0.001), 0.5) }
}
