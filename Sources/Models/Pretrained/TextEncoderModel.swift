import Foundation
import NeuralNetworks
import Tensors

/// A transformer text encoder of any family (BERT, RoBERTa, XLM-R, MPNet, ModernBERT) as a
/// ``SentenceEncoder`` and the training methods use it: token ids in, hidden states out, with
/// Hugging Face's parameter names so that checkpoints load and save by name.
public protocol TextEncoderModel: Module {
    /// The width of the hidden states, and the token ids the embeddings hold.
    var hiddenSize: Int { get }
    var vocabularySize: Int { get }
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

    /// A model of the shape `config.json` at `url` describes, with fresh weights, to load the
    /// checkpoint weights named `checkpointKeys` into (BERT keeps its pooler when they hold one).
    /// - Throws: ``ModelFileError`` naming the file.
    static func configured(by url: URL, checkpointKeys: Set<String>, source: RandomSource) throws -> Self

    /// Encodes a batch. `attentionMask` overrides the batch's own (Cutoff masks cut positions),
    /// `wordEmbeddingHook` transforms the token embeddings before the first layer, and
    /// `lastLayerTokens` computes the last layer at those positions only (what [CLS] pooling reads),
    /// and `hiddenStates` says whether the output keeps every layer's state or the last alone.
    func callAsFunction(_ batch: TokenBatch, attentionMask: [Int]?, wordEmbeddingHook: ((Tensor) -> Tensor)?,
                        lastLayerTokens: Range<Int>?, hiddenStates: KeptHiddenStates) -> BertOutput
    /// A model of the same configuration with fresh weights and its own dropout stream (a
    /// momentum encoder copies the trained weights into it).
    func makeCopy(source: RandomSource) -> Self
}

/// The text-encoder families a model folder may hold, by `config.json`'s `model_type`.
public enum TextEncoderFamilies {
    public static let types: [String: any TextEncoderModel.Type] = [
        "bert": BertModel.self, "roberta": BertModel.self, "xlm-roberta": BertModel.self, "mpnet": MPNetModel.self, "modernbert": ModernBertModel.self,
    ]

    /// Prefixes of task checkpoints (`BertForMaskedLM`, `RobertaForSequenceClassification`) in
    /// front of the encoder's names, and of the heads beside it that an encoder does not load.
    static let taskPrefixes = ["bert.", "roberta.", "mpnet.", "model."]
    static let headPrefixes = ["cls.", "lm_head.", "head.", "decoder.", "classifier.", "qa_outputs."]

    /// The encoder of the model folder `directory` (`config.json`, `model.safetensors` or its
    /// shards), with its own dropout stream.
    /// - Throws: ``ModelFileError`` naming the file: an unknown `model_type` (with the known ones),
    ///   a bad configuration, or weights that do not match it.
    public static func load(_ directory: URL, source: RandomSource) throws -> any TextEncoderModel {
        let configuration = directory.appendingPathComponent("config.json")
        let modelType: String = try JSONObjectFile.Fields(object: JSONObjectFile.read(configuration), file: configuration).required("model_type")
        guard let type = types[modelType] else {
            throw ModelFileError(configuration, "unsupported model_type '\(modelType)' (supported: \(types.keys.sorted().joined(separator: ", ")))")
        }
        let file = try CheckpointWeights(directory: directory)
        var tensors: [String: Tensor] = [:]
        for name in file.names where !headPrefixes.contains(where: name.hasPrefix) {
            let key = taskPrefixes.first(where: name.hasPrefix).map { String(name.dropFirst($0.count)) } ?? name
            tensors[key] = try file.tensor(named: name)
        }
        let model = try type.configured(by: configuration, checkpointKeys: Set(tensors.keys), source: source)
        do {
            try model.load(stateDict: tensors, strict: true, ignoring: type.ignoredCheckpointKeys)
        } catch let error as StateDictError {
            throw ModelFileError(file.file, "does not match config.json: \(error)")
        }
        return model
    }
}

extension TextEncoderModel {
    /// Encodes a batch with its own attention mask, keeping the `hiddenStates` asked for.
    public func callAsFunction(_ batch: TokenBatch, hiddenStates: KeptHiddenStates = .all) -> BertOutput {
        self(batch, attentionMask: nil, wordEmbeddingHook: nil, lastLayerTokens: nil, hiddenStates: hiddenStates)
    }
}
