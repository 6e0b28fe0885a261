import Foundation
import NeuralNetworks
import Tensors

/// Token embeddings, normalised and dropped out, named as Hugging Face's `ModernBertEmbeddings`
/// (`tok_embeddings`, `norm`, `drop`): positions enter through the attention's rotations instead.
public final class ModernBertEmbeddings: Module {
    public let words: Embedding
    public let norm: LayerNorm
    public let dropout: Dropout

    public init(_ c: ModernBertConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        // No zeroed padding row: transformers' initialisation redraws the whole table.
        words = Embedding(count: c.vocabularySize, dimension: c.hiddenSize, std: c.initializerRange, generator: &generator)
        norm = LayerNorm(dimension: c.hiddenSize, eps: c.normEps, bias: c.normBias)
        dropout = Dropout(probability: c.embeddingDropout, source: source)
        super.init()
        register(child: words, as: "tok_embeddings")
        register(child: norm, as: "norm")
        register(child: dropout, as: "drop")
    }

    /// Embeds `[batch, tokens]` ids (row-major); `wordEmbeddingHook` may replace the token
    /// embeddings before they are normalised (Cutoff augments there).
    public func callAsFunction(ids: [Int], batch: Int, tokens: Int, wordEmbeddingHook: ((Tensor) -> Tensor)? = nil) -> Tensor {
        var w = words(ids, shape: [batch, tokens])
        if let hook = wordEmbeddingHook { w = hook(w) }
        return dropout(norm(w))
    }
}

/// ModernBERT's self-attention, named as Hugging Face's `ModernBertAttention`: one fused
/// projection `Wqkv` to queries, keys and values, rotary positions on queries and keys, the
/// shared scaled dot-product core, and the output projection `Wo` with its dropout.
public final class ModernBertAttention: Module {
    /// `[3 · hidden, hidden]`: the queries', keys' and values' projections, in that order.
    public let qkv: Linear
    public let output: Linear
    /// Dropout on the attention probabilities.
    public let probabilityDropout: Dropout
    /// Dropout on the output projection (`out_drop`).
    public let outputDropout: Dropout
    public let heads: Int

    public init(_ c: ModernBertConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        qkv = Linear(inputSize: c.hiddenSize, outputSize: 3 * c.hiddenSize, bias: c.attentionBias, std: c.initializerRange, generator: &generator)
        output = Linear(inputSize: c.hiddenSize, outputSize: c.hiddenSize, bias: c.attentionBias, std: c.outputStandardDeviation,
                        generator: &generator)
        probabilityDropout = Dropout(probability: c.attentionDropout, source: source)
        outputDropout = Dropout(probability: c.attentionDropout, source: source)
        heads = c.heads
        super.init()
        register(child: qkv, as: "Wqkv")
        register(child: output, as: "Wo")
        register(child: probabilityDropout, as: "dropout")
        register(child: outputDropout, as: "out_drop")
    }

    /// - Parameters:
    ///   - angles: the rotations of all of `x`'s positions.
    ///   - window: the sliding window's `[tokens, tokens]` mask, for a sliding-attention layer.
    ///   - queries: computes the output at these positions only (they still attend to every token
    ///     their mask allows).
    public func callAsFunction(_ x: Tensor, keyMask: Tensor, angles: RotaryEmbedding.Angles, window: Tensor?, queries: Range<Int>? = nil) -> Tensor {
        let width = output.outputSize
        let split = { MultiHeadAttention.splitHeads($0, heads: self.heads) }
        let queryAngles = queries.map { angles.positions($0) } ?? angles
        let q = queryAngles.rotate(split(qkv(queries.map { x.slice(axis: 1, $0) } ?? x, outputs: 0..<width)))
        let k = angles.rotate(split(qkv(x, outputs: width..<(2 * width))))
        let v = split(qkv(x, outputs: (2 * width)..<(3 * width)))
        var windowRows = window
        if let queries, let window { windowRows = window.slice(axis: 0, queries) }
        let attended = MultiHeadAttention.attend(queries: q, keys: k, values: v, keyMask: keyMask, scoreBias: windowRows, dropout: probabilityDropout)
        return outputDropout(output(attended))
    }
}

/// ModernBERT's gated feed-forward block (GeGLU), named as Hugging Face's `ModernBertMLP`:
/// `Wo(dropout(act(input) · gate))`, where `Wi` makes `input` and `gate`, in that order.
public final class ModernBertMLP: Module {
    /// `[2 · intermediate, hidden]`: the input's and the gate's projections.
    public let input: Linear
    public let output: Linear
    public let dropout: Dropout
    public let activation: Activation

    public init(_ c: ModernBertConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        input = Linear(inputSize: c.hiddenSize, outputSize: 2 * c.intermediateSize, bias: c.mlpBias, std: c.initializerRange, generator: &generator)
        output = Linear(inputSize: c.intermediateSize, outputSize: c.hiddenSize, bias: c.mlpBias, std: c.outputStandardDeviation,
                        generator: &generator)
        dropout = Dropout(probability: c.mlpDropout, source: source)
        activation = c.activation
        super.init()
        register(child: input, as: "Wi")
        register(child: output, as: "Wo")
        register(child: dropout, as: "drop")
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let width = output.inputSize
        return output(dropout(activation(input(x, outputs: 0..<width)) * input(x, outputs: width..<(2 * width))))
    }
}

/// A pre-LN ModernBERT layer, named as Hugging Face's `ModernBertEncoderLayer`:
/// `h = x + attn(attn_norm(x))`, `y = h + mlp(mlp_norm(h))`, where the first layer has no
/// `attn_norm` (the embeddings end in a norm).
public final class ModernBertLayer: Module {
    public let attentionNorm: LayerNorm?
    public let attention: ModernBertAttention
    public let mlpNorm: LayerNorm
    public let mlp: ModernBertMLP
    public let attentionType: ModernBertConfiguration.LayerType

    public init(_ c: ModernBertConfiguration, index: Int, source: RandomSource, generator: inout RandomGenerator) {
        attentionNorm = index == 0 ? nil : LayerNorm(dimension: c.hiddenSize, eps: c.normEps, bias: c.normBias)
        attention = ModernBertAttention(c, source: source, generator: &generator)
        mlpNorm = LayerNorm(dimension: c.hiddenSize, eps: c.normEps, bias: c.normBias)
        mlp = ModernBertMLP(c, source: source, generator: &generator)
        attentionType = c.layerTypes[index]
        super.init()
        if let attentionNorm { register(child: attentionNorm, as: "attn_norm") }
        register(child: attention, as: "attn")
        register(child: mlpNorm, as: "mlp_norm")
        register(child: mlp, as: "mlp")
    }

    /// See ``ModernBertAttention/callAsFunction(_:keyMask:angles:window:queries:)``.
    public func callAsFunction(_ x: Tensor, keyMask: Tensor, angles: RotaryEmbedding.Angles, window: Tensor?, queries: Range<Int>? = nil) -> Tensor {
        let attended = attention(attentionNorm.map { $0(x) } ?? x, keyMask: keyMask, angles: angles, window: window, queries: queries)
        let h = (queries.map { x.slice(axis: 1, $0) } ?? x) + attended
        return h + mlp(mlpNorm(h))
    }
}

/// The ModernBERT encoder with Hugging Face's parameter names (`embeddings.…`, `layers.N.…`,
/// `final_norm`), so checkpoints load by name.
///
/// Pre-LN layers without biases (by default), rotary positions with one base for full-attention
/// layers and another for sliding-window ones, and gated GELU feed-forward blocks; padded batches
/// are attended as transformers' eager attention does (padding keys masked), so padding changes
/// nothing. The last hidden state is after `final_norm`, as transformers' `last_hidden_state`;
/// the model has no pooler.
///
/// ```swift
/// let configuration = try ModernBertConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
/// var g = RandomGenerator(seed: 1)
/// let model = ModernBertModel(configuration, source: RandomSource(seed: 0), generator: &g)
/// try model.load(stateDict: SafeTensorsFile(path: weights).allTensors())
/// let out = model(batch)            // out.lastHiddenState: [batch, tokens, hidden]
/// ```
public final class ModernBertModel: Module {
    public let configuration: ModernBertConfiguration
    public let embeddings: ModernBertEmbeddings
    public let layers: [ModernBertLayer]
    public let finalNorm: LayerNorm
    /// The dropout stream shared by every layer.
    public let source: RandomSource

    public init(_ c: ModernBertConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        self.source = source
        embeddings = ModernBertEmbeddings(c, source: source, generator: &generator)
        layers = (0..<c.layers).map { ModernBertLayer(c, index: $0, source: source, generator: &generator) }
        finalNorm = LayerNorm(dimension: c.hiddenSize, eps: c.normEps, bias: c.normBias)
        super.init()
        register(child: embeddings, as: "embeddings")
        register(children: layers, as: "layers")
        register(child: finalNorm, as: "final_norm")
    }

    /// Encodes a batch (see ``TextEncoderModel``). The output's hidden states are the embeddings'
    /// output and each layer's (or with ``KeptHiddenStates/last`` the last alone), the last one
    /// after `final_norm`.
    public func callAsFunction(_ batch: TokenBatch, attentionMask: [Int]? = nil, wordEmbeddingHook: ((Tensor) -> Tensor)? = nil,
                               lastLayerTokens: Range<Int>? = nil, hiddenStates: KeptHiddenStates = .all) -> BertOutput {
        let tokens = batch.tokens
        let mask = MultiHeadAttention.additiveMask(attentionMask ?? batch.attentionMask, batch: batch.batch, tokens: tokens)
        let window = Self.windowMask(tokens: tokens, radius: configuration.windowRadius)
        var angles: [ModernBertConfiguration.LayerType: RotaryEmbedding.Angles] = [:]
        for type in Set(configuration.layerTypes) {
            angles[type] = RotaryEmbedding(headSize: configuration.headSize, base: configuration.ropeTheta(type)).angles(positions: 0..<tokens)
        }
        var h = embeddings(ids: batch.ids, batch: batch.batch, tokens: tokens, wordEmbeddingHook: wordEmbeddingHook)
        var states = [h]
        for (index, layer) in layers.enumerated() {
            let last = index == layers.count - 1
            h = layer(h, keyMask: mask, angles: angles[layer.attentionType]!, window: layer.attentionType == .sliding ? window : nil,
                      queries: last ? lastLayerTokens : nil)
            states.keep(last ? finalNorm(h) : h, as: hiddenStates)
        }
        return BertOutput(hiddenStates: states, pooled: nil)
    }

    /// The sliding window as a `[tokens, tokens]` mask added to attention scores: 0 where query and
    /// key are at most `radius` apart, the lowest finite Float elsewhere (as transformers' eager
    /// masks); `nil` when every pair is within the window.
    static func windowMask(tokens: Int, radius: Int) -> Tensor? {
        guard tokens - 1 > radius else { return nil }
        let values = (0..<tokens).flatMap { query in
            (0..<tokens).map { key in abs(key - query) <= radius ? Float(0) : -Float.greatestFiniteMagnitude }
        }
        return Tensor(values, shape: [tokens, tokens])
    }
}

extension ModernBertModel: TextEncoderModel {
    public var hiddenSize: Int { configuration.hiddenSize }
    public var vocabularySize: Int { configuration.vocabularySize }
    public var maxTokens: Int { configuration.maxTokens }
    /// The dropout of transformers' classification heads (`classifier_dropout`): the encoder's own
    /// are split by place (embeddings, attention, feed-forward).
    public var hiddenDropout: Float { configuration.classifierDropout }
    public var pooler: Linear? { nil }
    public var configurationJSON: [String: Any] { configuration.jsonObject }
    public static var ignoredCheckpointKeys: [String] { [] }

    public static func configured(by url: URL, checkpointKeys: Set<String>, source: RandomSource) throws -> ModernBertModel {
        var generator = RandomGenerator(seed: 0)
        return ModernBertModel(try ModernBertConfiguration(contentsOf: url), source: source, generator: &generator)
    }

    public func makeCopy(source: RandomSource) -> ModernBertModel {
        var generator = RandomGenerator(seed: 0)
        return ModernBertModel(configuration, source: source, generator: &generator)
    }
}

extension ModernBertConfiguration {
    /// The standard deviation of the output projections' initial weights: transformers' ModernBERT
    /// shrinks them with depth, `initializer_range / √(2 · layers)`.
    var outputStandardDeviation: Float { initializerRange / (2 * Float(layers)).squareRoot() }
}

extension Linear {
    /// The outputs `range` of this layer alone: one part of a fused projection (ModernBERT's
    /// `Wqkv` and `Wi`), computed from the weight's rows without the others, whose gradients flow
    /// back into the rows they came from.
    func callAsFunction(_ x: Tensor, outputs range: Range<Int>) -> Tensor {
        x.linear(weight: weight.slice(axis: 0, range), bias: bias?.slice(axis: 0, range))
    }
}
