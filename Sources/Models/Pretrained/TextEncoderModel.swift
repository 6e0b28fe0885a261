import Foundation
import NeuralNetworks
import Tensors

/// A transformer text encoder of any family (BERT, RoBERTa, XLM-R, MPNet, ModernBERT) as a
/// ``SentenceEncoder`` and the training methods use it: token ids in, hidden states out, with
/// Hugging Face's parameter names so that checkpoints load and save by name.
public protocol TextEncoderModel: Module {
    /// The width of the hidden states.
    var hiddenSize: Int { get }
    /// The longest input, in tokens, that the model's positions allow.
    var maxTokens: Int { get }
    /// The dropout probability of the hidden states (heads put on the encoder reuse it).
    var hiddenDropout: Float { get }
    /// The dropout stream shared by every layer.
    var source: RandomSource { get }
    /// BERT's pooler (`dense` + tanh over the first token), for the families that have one.
    var pooler: Linear? { get }
    /// `config.json` as transformers writes it for this model.
    var configurationJSON: [String: Any] { get }
    /// Names in a checkpoint's state dict that hold no weights of the model (`position_ids`
    /// buffers), skipped when loading.
    static var ignoredCheckpointKeys: [String] { get }

    /// Encodes a batch. `attentionMask` overrides the batch's own (Cutoff masks cut positions),
    /// `wordEmbeddingHook` transforms the token embeddings before the first layer, and
    /// `lastLayerTokens` computes the last layer at those positions only (what [CLS] pooling reads).
    func callAsFunction(_ batch: TokenBatch, attentionMask: [Int]?, wordEmbeddingHook: ((Tensor) -> Tensor)?,
                        lastLayerTokens: Range<Int>?) -> BertOutput
    /// A model of the same configuration with fresh weights and its own dropout stream (a
    /// momentum encoder copies the trained weights into it).
    func makeCopy(source: RandomSource) -> Self
}

extension TextEncoderModel {
    /// Encodes a batch with its own attention mask.
    public func callAsFunction(_ batch: TokenBatch) -> BertOutput {
        self(batch, attentionMask: nil, wordEmbeddingHook: nil, lastLayerTokens: nil)
    }
}
