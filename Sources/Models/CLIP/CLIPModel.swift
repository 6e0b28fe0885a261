import Foundation
import NeuralNetworks
import Objectives
import Tensors

/// What one of CLIP's encoders returns.
public struct CLIPEncoderOutput {
    /// `[batch, tokens, hiddenSize]`: the text encoder's states after its final LayerNorm, the
    /// vision encoder's before its post-LayerNorm (as transformers' `last_hidden_state`).
    public let lastHiddenState: Tensor
    /// `[batch, hiddenSize]`: the text's end-of-text state, or the image's class token after the
    /// post-LayerNorm (transformers' `pooler_output`), before the projection.
    public let pooled: Tensor
}

/// CLIP's text encoder with Hugging Face's `CLIPTextModel` names (`embeddings.token_embedding`,
/// `embeddings.position_embedding`, `encoder.layers.N.…`, `final_layer_norm`): token and
/// position embeddings, pre-LN layers under a causal mask, a final LayerNorm, and the state at
/// each text's end-of-text token as its embedding.
public final class CLIPTextTransformer: Module {
    public let configuration: CLIPTextConfiguration
    public let tokenEmbedding: Embedding, positionEmbedding: Embedding
    public let layers: [PreNormTransformerLayer]
    public let finalNorm: LayerNorm

    /// An encoder of configuration `c`, weights from `generator`, attention dropout from `source`.
    public init(_ c: CLIPTextConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        tokenEmbedding = Embedding(count: c.vocabularySize, dimension: c.hiddenSize, generator: &generator)
        positionEmbedding = Embedding(count: c.maxPositions, dimension: c.hiddenSize, generator: &generator)
        layers = (0..<c.layers).map { _ in PreNormTransformerLayer(c.layer, naming: .clip, source: source, generator: &generator) }
        finalNorm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        super.init()
        let embeddings = Module(), encoder = Module()
        embeddings.register(child: tokenEmbedding, as: "token_embedding")
        embeddings.register(child: positionEmbedding, as: "position_embedding")
        encoder.register(children: layers, as: "layers")
        register(child: embeddings, as: "embeddings")
        register(child: encoder, as: "encoder")
        register(child: finalNorm, as: "final_layer_norm")
    }

    /// The position, within its row, of the token each text is pooled at, as transformers 5.25
    /// picks it: the first end-of-text token (padding may repeat it after), or position 0 in a
    /// row without one; with the `eos_token_id` 2 of configurations older than transformers'
    /// PR #24773, the row's largest id (OpenAI's end-of-text token is its vocabulary's last),
    /// its first occurrence (as `argmax`; `max(by:)` keeps the first of equals).
    public func pooledPositions(_ batch: TokenBatch) -> [Int] {
        let eos = configuration.eosTokenID
        return (0..<batch.batch).map { row in
            let ids = batch.ids[(row * batch.tokens)..<((row + 1) * batch.tokens)]
            let position = eos == 2 ? ids.indices.max { ids[$0] < ids[$1] } : ids.firstIndex(of: eos)
            return (position ?? ids.startIndex) - ids.startIndex
        }
    }

    /// Encodes `[batch, tokens]` ids: each position attends to itself and the positions before it
    /// that are not padding.
    public func callAsFunction(_ batch: TokenBatch) -> CLIPEncoderOutput {
        let (rows, tokens, width) = (batch.batch, batch.tokens, configuration.hiddenSize)
        ensure(tokens <= configuration.maxPositions, "CLIPTextTransformer: \(tokens) tokens exceed the \(configuration.maxPositions) positions of the model")
        var h = tokenEmbedding(batch.ids, shape: [rows, tokens]) + positionEmbedding(Array(0..<tokens), shape: [tokens])
        let mask = MultiHeadAttention.causalMask(batch.attentionMask, batch: rows, tokens: tokens)
        for layer in layers { h = layer(h, keyMask: mask) }
        let states = finalNorm(h)
        let pooledRows = pooledPositions(batch).enumerated().map { row, position in row * tokens + position }
        return CLIPEncoderOutput(lastHiddenState: states, pooled: states.reshaped([rows * tokens, width]).indexSelect(axis: 0, pooledRows))
    }
}

/// CLIP's image encoder with Hugging Face's `CLIPVisionModel` names (`embeddings.…`,
/// `pre_layrnorm` (sic), `encoder.layers.N.…`, `post_layernorm`): a ViT whose patch and class
/// token embeddings are normalised before the first layer, and whose class token, normalised
/// again, is the image's embedding.
public final class CLIPVisionTransformer: Module {
    public let configuration: VisionTransformerConfiguration
    public let embeddings: PatchEmbedding
    public let preNorm: LayerNorm
    public let layers: [PreNormTransformerLayer]
    public let postNorm: LayerNorm

    /// An encoder of configuration `c`, weights from `generator`, attention dropout from `source`.
    public init(_ c: VisionTransformerConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        embeddings = PatchEmbedding(c, naming: .clip, source: source, generator: &generator)
        preNorm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        layers = (0..<c.layers).map { _ in PreNormTransformerLayer(c.layer, naming: .clip, source: source, generator: &generator) }
        postNorm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        super.init()
        let encoder = Module()
        encoder.register(children: layers, as: "layers")
        register(child: embeddings, as: "embeddings")
        register(child: preNorm, as: "pre_layrnorm")
        register(child: encoder, as: "encoder")
        register(child: postNorm, as: "post_layernorm")
    }

    /// Encodes `pixels` `[N, channels, imageSize, imageSize]` (normalised as
    /// ``CLIPImagePreprocessing`` does).
    public func callAsFunction(_ pixels: Tensor) -> CLIPEncoderOutput {
        var h = preNorm(embeddings(pixels))
        for layer in layers { h = layer(h) }
        return CLIPEncoderOutput(lastHiddenState: h, pooled: postNorm(h.slice(axis: 1, 0..<1).squeezed(axis: 1)))
    }
}

/// What ``CLIPModel`` computes for a batch of texts and one of images.
public struct CLIPOutput {
    /// `[texts, projectionSize]`, rows L2-normalised.
    public let textEmbeds: Tensor
    /// `[images, projectionSize]`, rows L2-normalised.
    public let imageEmbeds: Tensor
    /// `[images, texts]`: `exp(logit_scale) · imageEmbeds · textEmbedsᵀ`.
    public let logitsPerImage: Tensor
    /// `[texts, images]`: the transpose of ``logitsPerImage``.
    public var logitsPerText: Tensor { logitsPerImage.transposed() }
}

/// CLIP (Radford et al. 2021) as Hugging Face's `CLIPModel`, with its state dict names
/// (`text_model.…`, `vision_model.…`, `visual_projection`, `text_projection`, `logit_scale`),
/// so that OpenAI's and OpenCLIP's checkpoints in that format load, fine-tune and save by name.
///
/// ```swift
/// let folder = URL(fileURLWithPath: "models/clip-vit-base-patch32")
/// let clip = try CLIPModel(directory: folder)
/// let preprocessing = try CLIPImagePreprocessing(directory: folder, imageSize: clip.configuration.vision.imageSize)
/// let pixels = preprocessing(images)
/// let out = clip(captions, pixels: pixels)                   // out.logitsPerImage: [images, texts]
/// let loss = clip.contrastiveLoss(captions, pixels: pixels)  // row i of each is a pair
/// ```
public final class CLIPModel: Module {
    public let configuration: CLIPConfiguration
    public let textModel: CLIPTextTransformer
    public let visionModel: CLIPVisionTransformer
    /// Linear maps without bias into the shared space.
    public let visualProjection: Linear, textProjection: Linear
    /// `log` of the factor cosine similarities are multiplied by, learned (a scalar).
    public let logitScale: Tensor
    /// The stream attention dropout draws from (what gradient caching replays and checkpoints keep).
    public let source: RandomSource

    /// A model of configuration `c` with weights drawn from `generator` (BERT's initialisation,
    /// not transformers' CLIP one) and attention dropout drawn from `source`.
    public init(_ c: CLIPConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        textModel = CLIPTextTransformer(c.text, source: source, generator: &generator)
        visionModel = CLIPVisionTransformer(c.vision, source: source, generator: &generator)
        visualProjection = Linear(inputSize: c.vision.hiddenSize, outputSize: c.projectionSize, bias: false, generator: &generator)
        textProjection = Linear(inputSize: c.text.hiddenSize, outputSize: c.projectionSize, bias: false, generator: &generator)
        logitScale = Tensor(scalar: Float(c.logitScaleInitialValue))
        self.source = source
        super.init()
        register(child: textModel, as: "text_model")
        register(child: visionModel, as: "vision_model")
        register(child: visualProjection, as: "visual_projection")
        register(child: textProjection, as: "text_projection")
        register(parameter: logitScale, as: "logit_scale")
    }

    /// Names in a checkpoint that hold no weights: the `position_ids` buffers of both towers'
    /// embeddings, which transformers before 4.31 saved.
    public static var ignoredCheckpointKeys: [String] { ["embeddings.position_ids"] }

    /// The projected, unnormalised embeddings of tokenized texts, `[batch, projectionSize]`
    /// (transformers' `get_text_features`).
    public func textFeatures(_ batch: TokenBatch) -> Tensor { textProjection(textModel(batch).pooled) }

    /// The projected, unnormalised embeddings of `pixels` `[N, channels, imageSize, imageSize]`,
    /// `[N, projectionSize]` (transformers' `get_image_features`).
    public func imageFeatures(_ pixels: Tensor) -> Tensor { visualProjection(visionModel(pixels).pooled) }

    /// Both embeddings, normalised, and the logits of every image against every text.
    public func callAsFunction(_ texts: TokenBatch, pixels: Tensor) -> CLIPOutput {
        let textEmbeds = textFeatures(texts).l2Normalized(), imageEmbeds = imageFeatures(pixels).l2Normalized()
        return CLIPOutput(textEmbeds: textEmbeds, imageEmbeds: imageEmbeds,
                          logitsPerImage: imageEmbeds.matmul(textEmbeds, transposeOther: true) * logitScale.exp())
    }

    /// CLIP's training loss: InfoNCE over cosine similarities at the learned scale, clamped to at
    /// most 100 as OpenCLIP clamps it, over in-batch negatives; ``contrastiveLoss(_:pixels:)``
    /// takes its symmetric form.
    public var contrast: InfoNCELoss { InfoNCELoss(temperature: .learnableLogScale(logitScale)) }

    /// The symmetric InfoNCE loss of matching pairs (row `i` of `texts` describes image `i`): the
    /// mean of the image-to-text and text-to-image cross-entropies, transformers' `clip_loss`.
    public func contrastiveLoss(_ texts: TokenBatch, pixels: Tensor) -> Tensor {
        ensure(texts.batch == pixels.shape.first, "CLIPModel.contrastiveLoss: \(texts.batch) texts for \(pixels.shape.first ?? 0) images")
        return contrast.symmetric(imageFeatures(pixels), textFeatures(texts))
    }
}

// MARK: - Model folders

extension CLIPModel {
    /// The files besides the weights and `config.json` that a Hugging Face CLIP folder holds
    /// (tokenizer and image preprocessing), which ``save(to:companionFilesFrom:)`` can carry over.
    public static let companionFiles = [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "preprocessor_config.json",
    ]

    /// Loads a Hugging Face CLIP folder: `config.json` and `model.safetensors` (or its shards), every weight of
    /// the model present and nothing else (but ``ignoredCheckpointKeys``).
    ///
    /// Every problem throws an error whose description is one line naming the file at fault.
    public convenience init(directory: URL, dropoutSeed: UInt64 = 0) throws {
        let configuration = try CLIPConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let weights = try CheckpointWeights(directory: directory)
        var generator = RandomGenerator(seed: 0)
        self.init(configuration, source: RandomSource(seed: dropoutSeed), generator: &generator)
        do {
            try load(stateDict: weights.allTensors(), strict: true, ignoring: Self.ignoredCheckpointKeys)
        } catch let error as StateDictError {
            throw ModelFileError(weights.file, "does not match config.json: \(error)")
        }
    }

    /// Writes `config.json` and `model.safetensors` as transformers' `CLIPModel.save_pretrained`
    /// does, so that transformers and ``init(directory:dropoutSeed:)`` load them alike, and copies
    /// the ``companionFiles`` that `companionFilesFrom` holds (the folder the model came from).
    public func save(to directory: URL, companionFilesFrom source: URL? = nil) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = try JSONSerialization.data(withJSONObject: configuration.jsonObject, options: [.prettyPrinted, .sortedKeys])
        try config.write(to: directory.appendingPathComponent("config.json"), options: .atomic)
        try SafeTensors.write(stateDict(), metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors").path)
        guard let source, source.standardizedFileURL != directory.standardizedFileURL else { return }
        for name in Self.companionFiles where fm.fileExists(atPath: source.appendingPathComponent(name).path) {
            let target = directory.appendingPathComponent(name)
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.copyItem(at: source.appendingPathComponent(name), to: target)
        }
    }
}
