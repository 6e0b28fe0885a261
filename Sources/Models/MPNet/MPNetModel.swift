import Foundation
import NeuralNetworks
import Tensors

/// Word and position embeddings, summed, normalised and dropped out, named as Hugging Face's
/// `MPNetEmbeddings`: no token types, and positions counted as RoBERTa's, from past the padding
/// index over each row's tokens that are not padding.
public final class MPNetEmbeddings: Module {
    public let words: Embedding, positions: Embedding
    public let norm: LayerNorm
    public let dropout: Dropout

    public init(_ c: MPNetConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        let padding = MPNetConfiguration.paddingIndex
        words = Embedding(count: c.vocabularySize, dimension: c.hiddenSize, paddingIndex: padding, std: c.initializerRange, generator: &generator)
        positions = Embedding(count: c.maxPositions, dimension: c.hiddenSize, paddingIndex: padding, std: c.initializerRange, generator: &generator)
        norm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        super.init()
        register(child: words, as: "word_embeddings")
        register(child: positions, as: "position_embeddings")
        register(child: norm, as: "LayerNorm")
        register(child: dropout, as: "dropout")
    }

    /// Embeds `[batch, tokens]` ids (row-major). `wordEmbeddingHook` may replace the word
    /// embeddings before the positions are added (Cutoff augments there).
    public func callAsFunction(ids: [Int], batch: Int, tokens: Int, wordEmbeddingHook: ((Tensor) -> Tensor)? = nil) -> Tensor {
        let padding = MPNetConfiguration.paddingIndex
        ensure(tokens + padding + 1 <= positions.count, "MPNetEmbeddings: \(tokens) tokens exceed the \(positions.count) positions of the model")
        var w = words(ids, shape: [batch, tokens])
        if let hook = wordEmbeddingHook { w = hook(w) }
        let p = positions(BertEmbeddings.positions(ids, after: padding, tokens: tokens), shape: [batch, tokens])
        return dropout(norm(w + p))
    }
}

/// MPNet's attention block, named as Hugging Face's `MPNetAttention`: the projections and the
/// attention-probability dropout under `attn` (`q`, `k`, `v`, `o`), then `LayerNorm(dropout(o) + x)`.
/// The scores receive the encoder's relative position bias.
public final class MPNetAttention: Module {
    public let query: Linear, key: Linear, value: Linear, output: Linear
    /// Dropout on the attention probabilities.
    public let probabilityDropout: Dropout
    public let norm: LayerNorm
    /// Dropout on the output projection, before the residual.
    public let dropout: Dropout
    public let heads: Int

    public init(_ c: MPNetConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        func projection(_ generator: inout RandomGenerator) -> Linear {
            Linear(inputSize: c.hiddenSize, outputSize: c.hiddenSize, std: c.initializerRange, generator: &generator)
        }
        query = projection(&generator)
        key = projection(&generator)
        value = projection(&generator)
        output = projection(&generator)
        probabilityDropout = Dropout(probability: c.attentionDropout, source: source)
        norm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        heads = c.heads
        super.init()
        let attention = Module()
        attention.register(child: query, as: "q")
        attention.register(child: key, as: "k")
        attention.register(child: value, as: "v")
        attention.register(child: output, as: "o")
        attention.register(child: probabilityDropout, as: "dropout")
        register(child: attention, as: "attn")
        register(child: norm, as: "LayerNorm")
        register(child: dropout, as: "dropout")
    }

    /// - Parameters:
    ///   - positionBias: `[heads, tokens, tokens]`, added to the products of queries and keys
    ///     before scaling (see ``MPNetModel/positionBias(tokens:)``).
    ///   - queries: computes the output at these positions only (they still attend to every token).
    public func callAsFunction(_ x: Tensor, keyMask: Tensor, positionBias: Tensor, queries: Range<Int>? = nil) -> Tensor {
        let residual = queries.map { x.slice(axis: 1, $0) } ?? x
        let attended = MultiHeadAttention.attend(queries: query(residual), keys: key(x), values: value(x), heads: heads, keyMask: keyMask,
                                                 scoreBias: queries.map { positionBias.slice(axis: 1, $0) } ?? positionBias,
                                                 dropout: probabilityDropout)
        // Without dropout the residual joins the product (`Linear`'s `residual`), as in `ResidualOutput`.
        guard dropout.isActive else { return norm(output(attended, residual: residual)) }
        return norm(dropout(output(attended)) + residual)
    }
}

/// A post-LN MPNet encoder layer, named as Hugging Face's `MPNetLayer`: ``MPNetAttention``, then
/// BERT's feed-forward block (`intermediate.dense`, `output`).
public final class MPNetLayer: Module {
    public let attention: MPNetAttention
    public let intermediate: Linear
    public let output: ResidualOutput
    public let activation: Activation

    public init(_ c: MPNetConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        attention = MPNetAttention(c, source: source, generator: &generator)
        let feedForward = Module()
        intermediate = feedForward.register(child: Linear(inputSize: c.hiddenSize, outputSize: c.intermediateSize, std: c.initializerRange,
                                                          generator: &generator), as: "dense")
        output = ResidualOutput(inputSize: c.intermediateSize, outputSize: c.hiddenSize, eps: c.layerNormEps, dropout: c.hiddenDropout,
                                std: c.initializerRange, source: source, generator: &generator)
        activation = c.activation
        super.init()
        register(child: attention, as: "attention")
        register(child: feedForward, as: "intermediate")
        register(child: output, as: "output")
    }

    /// - Parameter queries: computes the output at these positions only (a last layer read at [CLS]).
    public func callAsFunction(_ x: Tensor, keyMask: Tensor, positionBias: Tensor, queries: Range<Int>? = nil) -> Tensor {
        let h = attention(x, keyMask: keyMask, positionBias: positionBias, queries: queries)
        return output.feedForward(h, from: intermediate, activation: activation)
    }
}

/// The MPNet encoder with Hugging Face's parameter names (`embeddings.…`, `encoder.layer.N.…`,
/// `encoder.relative_attention_bias`, `pooler.dense.…`), so checkpoints load by name.
///
/// MPNet is BERT without token types, with RoBERTa's positions, and with a learned bias for each
/// head and bucket of relative position added to every layer's attention scores.
///
/// ```swift
/// let configuration = try MPNetConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
/// var g = RandomGenerator(seed: 1)
/// let mpnet = MPNetModel(configuration, source: RandomSource(seed: 0), generator: &g)
/// try mpnet.load(stateDict: SafeTensorsFile(path: weights).allTensors(), ignoring: MPNetModel.ignoredCheckpointKeys)
/// let out = mpnet(batch)            // out.lastHiddenState: [batch, tokens, hidden]
/// ```
public final class MPNetModel: Module {
    public let configuration: MPNetConfiguration
    public let embeddings: MPNetEmbeddings
    public let layers: [MPNetLayer]
    /// `[relativeAttentionBuckets, heads]`: each head's bias for each bucket of relative position.
    public let relativeAttentionBias: Embedding
    /// The pooler (`dense` + tanh over the first token); absent in checkpoints saved without one.
    public let pooler: Linear?
    /// The dropout stream shared by every layer.
    public let source: RandomSource

    public init(_ c: MPNetConfiguration, withPooler: Bool = true, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        self.source = source
        embeddings = MPNetEmbeddings(c, source: source, generator: &generator)
        layers = (0..<c.layers).map { _ in MPNetLayer(c, source: source, generator: &generator) }
        relativeAttentionBias = Embedding(count: c.relativeAttentionBuckets, dimension: c.heads, std: c.initializerRange, generator: &generator)
        pooler = withPooler ? Linear(inputSize: c.hiddenSize, outputSize: c.hiddenSize, std: c.initializerRange, generator: &generator) : nil
        super.init()
        register(child: embeddings, as: "embeddings")
        let encoder = Module()
        encoder.register(children: layers, as: "layer")
        encoder.register(child: relativeAttentionBias, as: "relative_attention_bias")
        register(child: encoder, as: "encoder")
        if let pooler {
            let block = Module()
            block.register(child: pooler, as: "dense")
            register(child: block, as: "pooler")
        }
    }

    /// Encodes a batch as ``BertModel`` does (see ``TextEncoderModel``).
    public func callAsFunction(_ batch: TokenBatch, attentionMask: [Int]? = nil, wordEmbeddingHook: ((Tensor) -> Tensor)? = nil,
                               lastLayerTokens: Range<Int>? = nil, hiddenStates: KeptHiddenStates = .all) -> BertOutput {
        let mask = MultiHeadAttention.additiveMask(attentionMask ?? batch.attentionMask, batch: batch.batch, tokens: batch.tokens)
        var h = embeddings(ids: batch.ids, batch: batch.batch, tokens: batch.tokens, wordEmbeddingHook: wordEmbeddingHook)
        let bias = positionBias(tokens: batch.tokens)
        var states = [h]
        for (index, layer) in layers.enumerated() {
            h = layer(h, keyMask: mask, positionBias: bias, queries: index == layers.count - 1 ? lastLayerTokens : nil)
            states.keep(h, as: hiddenStates)
        }
        return BertOutput(hiddenStates: states, pooled: BertModel.pool(h, with: pooler))
    }

    /// The relative position bias of every layer, `[heads, tokens, tokens]`: the table's row for
    /// the bucket of each key's position relative to each query's. It is multiplied by
    /// `√headSize` because attention adds it before scaling the scores, and transformers after.
    public func positionBias(tokens: Int) -> Tensor {
        // A bucket depends only on the offset, so each of the 2·tokens - 1 offsets is bucketed once.
        let byOffset = (-(tokens - 1)..<tokens).map(Self.relativePositionBucket)
        let buckets = (0..<tokens).flatMap { query in (0..<tokens).map { key in byOffset[key - query + tokens - 1] } }
        let headSize = configuration.hiddenSize / configuration.heads
        let table = relativeAttentionBias.weight * Float(headSize).squareRoot()
        return table.gatherRows(buckets, indexShape: [tokens, tokens]).permuted([2, 0, 1])
    }

    /// The longest distance with buckets of its own; farther keys share the last bucket of their side.
    static let maxDistance = 128

    /// transformers' `relative_position_bucket` for a key `offset` positions after the query
    /// (before it when negative), bidirectional: each side has half of the buckets, keys after the
    /// query the upper half; the first quarter of a side holds one distance each, and the rest
    /// split distances up to ``maxDistance`` logarithmically.
    static func relativePositionBucket(_ offset: Int) -> Int {
        let side = MPNetConfiguration.relativePositionBuckets / 2, exact = side / 2
        let distance = abs(offset)
        let first = offset > 0 ? side : 0
        guard distance >= exact else { return first + distance }
        // In Float, as PyTorch computes it, so that a distance on a bucket's edge (64: exactly 6
        // further buckets) truncates to the same bucket.
        let logarithmic = Foundation.log(Float(distance) / Float(exact)) / Float(Foundation.log(Double(maxDistance) / Double(exact)))
            * Float(side - exact)
        return first + min(exact + Int(logarithmic), side - 1)
    }
}

extension MPNetModel: TextEncoderModel {
    public var hiddenSize: Int { configuration.hiddenSize }
    public var vocabularySize: Int { configuration.vocabularySize }
    public var maxTokens: Int { configuration.maxTokens }
    public var hiddenDropout: Float { configuration.hiddenDropout }
    public var configurationJSON: [String: Any] { configuration.jsonObject }
    public static var ignoredCheckpointKeys: [String] { ["embeddings.position_ids"] }

    public static func configured(by url: URL, checkpointKeys: Set<String>, source: RandomSource) throws -> MPNetModel {
        var generator = RandomGenerator(seed: 0)
        return MPNetModel(try MPNetConfiguration(contentsOf: url), withPooler: checkpointKeys.contains("pooler.dense.weight"), source: source, generator: &generator)
    }

    public func makeCopy(source: RandomSource) -> MPNetModel {
        var generator = RandomGenerator(seed: 0)
        return MPNetModel(configuration, withPooler: pooler != nil, source: source, generator: &generator)
    }
}
