import Foundation
import NeuralNetworks
import Objectives
import Tensors
import Text
import Vision

/// VLMo (Bao et al. 2022): one multiway transformer whose layers share self-attention and route
/// tokens to modality experts. As a dual encoder, images go through the vision experts and
/// captions through the language experts (image-text contrast, ITC); as a fusion encoder,
/// `[caption; image]` tokens go through both below the top layers and through the
/// vision-language experts in the top layers, and an ITM head scores the pair.
///
/// Parameter names: `patch_embeddings.…` (a ViT's), `text_embeddings.…` (BERT's), `backbone.…`
/// (``MultiwayTransformer``), `image_projection`, `text_projection`, `itm_head`, `logit_scale`.
public final class VLMo: Module, DualEncoderModel {
    public static let method = "vlmo"
    public let configuration: ImageTextConfiguration
    public let tokenizer: WordPieceTokenizer
    public let patchEmbeddings: PatchEmbedding
    public let textEmbeddings: BertEmbeddings
    public let backbone: MultiwayTransformer
    /// ITC projections: a linear map then a batch normalisation without scale (as ALBEF's here;
    /// VLMo has plain linear maps). A randomly initialised backbone gives nearly the same [CLS]
    /// for every input (captions' cosine similarity 0.99999 at initialisation); centring each
    /// feature over the batch keeps only the differences, so ITC learns from the first step.
    public let imageProjection: ProjectionHead, textProjection: ProjectionHead
    /// Match / no-match logits from the fused [CLS] state: an MLP whose hidden layer is batch
    /// normalised (VLMo: a linear pooler with tanh, then a linear map). The fused [CLS] of a fresh
    /// backbone hardly varies between pairs, and a linear head on it stays at the label prior;
    /// centring the hidden features over the batch lets the head tell pairs apart from the start.
    public let itmHead: ProjectionHead
    public let logitScale: Tensor

    public init(_ c: ImageTextConfiguration, seed: UInt64) throws {
        configuration = c
        var start = try ImageTextInitialization(seed: seed)
        let (source, tokenizer) = (start.source, start.tokenizer)
        self.tokenizer = tokenizer
        patchEmbeddings = PatchEmbedding(c.vision, source: source, generator: &start.generator)
        textEmbeddings = BertEmbeddings(c.text(width: c.width, layers: c.layers, heads: c.heads, vocabularySize: tokenizer.vocabularySize),
                                        source: source, generator: &start.generator)
        backbone = MultiwayTransformer(layer: c.vision.layer, layers: c.layers, visionLanguageLayers: c.visionLanguageLayers,
                                       source: source, generator: &start.generator)
        imageProjection = ProjectionHead(inputSize: c.width, hiddenSize: c.width, outputSize: c.embeddingSize, layers: 1,
                                         outputBatchNorm: true, generator: &start.generator)
        textProjection = ProjectionHead(inputSize: c.width, hiddenSize: c.width, outputSize: c.embeddingSize, layers: 1,
                                        outputBatchNorm: true, generator: &start.generator)
        itmHead = ProjectionHead(inputSize: c.width, hiddenSize: c.width, outputSize: 2, layers: 2, batchNorm: true, generator: &start.generator)
        logitScale = Tensor(scalar: ImageTextInitialization.logitScale)
        super.init()
        register(child: patchEmbeddings, as: "patch_embeddings")
        register(child: textEmbeddings, as: "text_embeddings")
        register(child: backbone, as: "backbone")
        register(child: imageProjection, as: "image_projection")
        register(child: textProjection, as: "text_projection")
        register(child: itmHead, as: "itm_head")
        register(parameter: logitScale, as: "logit_scale")
    }

    /// Normalised image embeddings (vision experts only) of `images` `[N, C, H, W]`.
    public func imageEmbeddings(_ images: Tensor) -> Tensor {
        imageProjection(Self.cls(backbone(patchEmbeddings(images), routing: .vision))).l2Normalized()
    }

    /// Normalised caption embeddings (language experts only).
    public func textEmbeddings(_ texts: [String]) -> Tensor { textEmbeddings(tokens(texts)) }

    /// Normalised embeddings of tokenized captions (language experts only).
    public func textEmbeddings(_ batch: TokenBatch) -> Tensor {
        let mask = MultiHeadAttention.additiveMask(batch.attentionMask, batch: batch.batch, tokens: batch.tokens)
        return textProjection(Self.cls(backbone(embed(batch), routing: .language, keyMask: mask))).l2Normalized()
    }

    /// ITM logits `[N, 2]` (column 1: match) of caption `i` with image `i`, in fusion mode.
    public func matchLogits(texts: [String], images: Tensor) -> Tensor {
        let batch = tokens(texts)
        ensure(images.shape[0] == batch.batch, "VLMo.matchLogits: \(batch.batch) captions for \(images.shape[0]) images")
        let imageTokens = configuration.vision.patchCount + 1
        var mask = [Int]()
        for row in 0..<batch.batch {
            mask += batch.attentionMask[(row * batch.tokens)..<((row + 1) * batch.tokens)]
            mask += [Int](repeating: 1, count: imageTokens)
        }
        let joint = Tensor.concat([embed(batch), patchEmbeddings(images)], axis: 1)
        let fused = backbone(joint, routing: .visionLanguage(languageTokens: batch.tokens),
                             keyMask: MultiHeadAttention.additiveMask(mask, batch: batch.batch, tokens: batch.tokens + imageTokens))
        return itmHead(Self.cls(fused))
    }

    public func encodeImages(_ images: [Image]) -> Tensor {
        ImageTextBatching.evaluate(self, images.count) { range in imageEmbeddings(configuration.pixels(Array(images[range]))) }
    }

    public func encodeTexts(_ texts: [String]) -> Tensor {
        ImageTextBatching.evaluate(self, texts.count) { range in textEmbeddings(Array(texts[range])) }
    }

    /// The ITM match probability of every caption with every image, `[texts, images]`.
    public func matchScores(texts: [String], images: [Image]) -> Tensor? {
        let pairs = texts.flatMap { text in images.map { (text, $0) } }
        return ImageTextBatching.evaluate(self, pairs.count) { range in
            matchLogits(texts: pairs[range].map(\.0), images: configuration.pixels(pairs[range].map(\.1))).softmax().slice(axis: 1, 1..<2)
        }.reshaped([texts.count, images.count])
    }

    public func save(to directory: URL) throws {
        try configuration.write(weights: stateDict(), to: directory)
    }

    public static func load(from directory: URL) throws -> VLMo {
        let model = try VLMo(ImageTextConfiguration.read(from: directory), seed: 0)
        try ImageTextConfiguration.loadWeights(into: model, from: directory)
        return model
    }

    private func embed(_ batch: TokenBatch) -> Tensor {
        textEmbeddings(ids: batch.ids, tokenTypeIDs: nil, batch: batch.batch, tokens: batch.tokens)
    }

    /// The first token of `[N, tokens, width]` states.
    static func cls(_ states: Tensor) -> Tensor { states.slice(axis: 1, 0..<1).squeezed(axis: 1) }
}
