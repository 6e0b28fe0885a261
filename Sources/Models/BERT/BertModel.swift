import Foundation
import NeuralNetworks
import Text
import Tensors

/// A batch of token sequences ready for an encoder: row-major `[batch, tokens]` ids, attention mask
/// (1 for tokens, 0 for padding) and token-type ids.
public struct TokenBatch: Sendable, Equatable {
    public var ids: [Int]
    public var attentionMask: [Int]
    public var tokenTypeIDs: [Int]
    public var batch: Int
    public var tokens: Int

    public init(ids: [Int], attentionMask: [Int], tokenTypeIDs: [Int]? = nil, batch: Int, tokens: Int) {
        ensure(ids.count == batch * tokens && attentionMask.count == ids.count,
                     "TokenBatch: \(ids.count) ids and \(attentionMask.count) mask values for [\(batch), \(tokens)]")
        self.ids = ids
        self.attentionMask = attentionMask
        self.tokenTypeIDs = tokenTypeIDs ?? [Int](repeating: 0, count: ids.count)
        self.batch = batch
        self.tokens = tokens
    }
}

extension TokenBatch {
    /// The batch of a tokenizer's padded encoding.
    public init(_ encoded: EncodedBatch) {
        self.init(ids: encoded.ids, attentionMask: encoded.attentionMask, tokenTypeIDs: encoded.tokenTypeIDs,
                  batch: encoded.batchSize, tokens: encoded.sequenceLength)
    }

    /// The rows `range` of this batch, with the same padded length (so a row encodes as it does
    /// in the whole batch).
    public func rows(_ range: Range<Int>) -> TokenBatch {
        let span = (range.lowerBound * tokens)..<(range.upperBound * tokens)
        return TokenBatch(ids: Array(ids[span]), attentionMask: Array(attentionMask[span]), tokenTypeIDs: Array(tokenTypeIDs[span]),
                          batch: range.count, tokens: tokens)
    }
}

/// Which hidden states a forward pass returns (``BertOutput/hiddenStates``).
public enum KeptHiddenStates: Sendable {
    /// The embeddings' output and every layer's, as Hugging Face's `output_hidden_states=True`.
    case all
    /// The last layer's alone. Without gradients each other state is then freed once the next
    /// layer has read it, instead of living until the output is dropped: a `[batch, tokens,
    /// hidden]` tensor less per layer at inference's peak (300 MB for BERT-base at 16 × 512).
    case last
}

/// What a BERT forward pass returns.
public struct BertOutput {
    /// `hidden_states` as Hugging Face returns them: the embeddings' output, then each layer's
    /// output (`layers + 1` tensors of `[batch, tokens, hidden]`); the last layer's alone when
    /// the pass was asked for ``KeptHiddenStates/last``.
    public let hiddenStates: [Tensor]
    /// The last layer's output.
    public var lastHiddenState: Tensor { hiddenStates[hiddenStates.count - 1] }
    /// `tanh(dense([CLS]))` when the model has a pooler.
    public let pooled: Tensor?
}

extension [Tensor] {
    /// Appends a layer's output `state` to the hidden states, or with ``KeptHiddenStates/last``
    /// replaces them by it.
    mutating func keep(_ state: Tensor, as kept: KeptHiddenStates) {
        if kept == .last { removeAll(keepingCapacity: true) }
        append(state)
    }
}

/// The BERT encoder with Hugging Face's parameter names (`embeddings.…`, `encoder.layer.N.…`,
/// `pooler.dense.…`), so checkpoints load by name.
///
/// ```swift
/// let random = RandomSource(seed: 0)
/// var g = RandomGenerator(seed: 1)
/// let bert = BertModel(BertConfiguration(preset: .tiny), source: random, generator: &g)
/// let out = bert(batch)            // out.lastHiddenState: [batch, tokens, 128]
/// ```
public final class BertModel: Module {
    public let configuration: BertConfiguration
    public let embeddings: BertEmbeddings
    public let layers: [TransformerEncoderLayer]
    /// The pooler (`dense` + tanh over [CLS]); absent in checkpoints saved without one.
    public let pooler: Linear?
    /// The dropout stream shared by every layer.
    public let source: RandomSource

    public init(_ c: BertConfiguration, withPooler: Bool = true, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        self.source = source
        embeddings = BertEmbeddings(c, source: source, generator: &generator)
        layers = (0..<c.layers).map { _ in TransformerEncoderLayer(c.layer, source: source, generator: &generator) }
        pooler = withPooler ? Linear(inputSize: c.hiddenSize, outputSize: c.hiddenSize, generator: &generator) : nil
        super.init()
        register(child: embeddings, as: "embeddings")
        let encoder = Module()
        encoder.register(children: layers, as: "layer")
        register(child: encoder, as: "encoder")
        if let pooler {
            let block = Module()
            block.register(child: pooler, as: "dense")
            register(child: block, as: "pooler")
        }
    }

    /// Encodes a batch. `wordEmbeddingHook` may transform the word embeddings (Cutoff), and
    /// `attentionMask` overrides the batch's mask (token and span Cutoff also mask the cut positions).
    /// `lastLayerTokens` computes the last layer at those positions only (its hidden state then has
    /// that many tokens, with the values of the whole computation): [CLS] pooling reads one token,
    /// and skipping the others' queries, attention output and feed-forward saves most of a layer,
    /// forward and backward. `hiddenStates` says whether the output keeps every layer's state.
    public func callAsFunction(_ batch: TokenBatch, attentionMask: [Int]? = nil, wordEmbeddingHook: ((Tensor) -> Tensor)? = nil,
                               lastLayerTokens: Range<Int>? = nil, hiddenStates: KeptHiddenStates = .all) -> BertOutput {
        let mask = MultiHeadAttention.additiveMask(attentionMask ?? batch.attentionMask, batch: batch.batch, tokens: batch.tokens)
        var h = embeddings(ids: batch.ids, tokenTypeIDs: batch.tokenTypeIDs, batch: batch.batch, tokens: batch.tokens,
                           wordEmbeddingHook: wordEmbeddingHook)
        var states = [h]
        for (index, layer) in layers.enumerated() {
            h = layer(h, keyMask: mask, queries: index == layers.count - 1 ? lastLayerTokens : nil)
            states.keep(h, as: hiddenStates)
        }
        return BertOutput(hiddenStates: states, pooled: Self.pool(h, with: pooler))
    }

    /// BERT's pooler output, `tanh(dense(first token))`, of the last hidden state `h`, when there is a pooler.
    static func pool(_ h: Tensor, with pooler: Linear?) -> Tensor? {
        pooler.map { $0(h.slice(axis: 1, 0..<1).squeezed(axis: 1)).tanh() }
    }
}

extension BertModel: TextEncoderModel {
    public var hiddenSize: Int { configuration.hiddenSize }
    public var vocabularySize: Int { configuration.vocabularySize }
    public var maxTokens: Int { configuration.maxTokens }
    public var hiddenDropout: Float { configuration.hiddenDropout }
    public var configurationJSON: [String: Any] { configuration.jsonObject }
    public static var ignoredCheckpointKeys: [String] { ["embeddings.position_ids"] }

    public static func configured(by url: URL, checkpointKeys: Set<String>, source: RandomSource) throws -> BertModel {
        var generator = RandomGenerator(seed: 0)
        return BertModel(try BertConfiguration(contentsOf: url), withPooler: checkpointKeys.contains("pooler.dense.weight"), source: source, generator: &generator)
    }

    public func makeCopy(source: RandomSource) -> BertModel {
        var generator = RandomGenerator(seed: 0)
        return BertModel(configuration, withPooler: pooler != nil, source: source, generator: &generator)
    }
}
