import Foundation
import NeuralNetworks
import Tensors

/// The shape of a BERT encoder, read from (and written to) a Hugging Face `config.json`: BERT,
/// or RoBERTa and XLM-RoBERTa, which are BERT with positions counted from past the padding index.
public struct BertConfiguration: Sendable, Equatable {
    /// `bert`, `roberta` or `xlm-roberta` (config.json's `model_type`).
    public var modelType = "bert"
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEps: Float
    public var padTokenID: Int

    public init(vocabularySize: Int = 30_522, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                activation: Activation = .gelu, hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1,
                maxPositions: Int = 512, typeVocabularySize: Int = 2, layerNormEps: Float = 1e-12, padTokenID: Int = 0) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEps = layerNormEps
        self.padTokenID = padTokenID
    }

    /// Named shapes for randomly initialised encoders (`--init` and `contrast bench`).
    public enum Preset: String, Sendable, CaseIterable {
        /// 128 wide, 2 layers, 2 heads, FFN 512: for tests.
        case tiny
        /// 256 wide, 4 layers, 4 heads, FFN 1024 (BERT-mini).
        case mini
        /// 384 wide, 6 layers, 12 heads, FFN 1536 (all-MiniLM-L6-v2).
        case minilm
        /// 768 wide, 12 layers, 12 heads, FFN 3072 (bert-base-uncased).
        case bertBase = "bert-base"
    }

    /// The configuration of a preset shape.
    public init(preset: Preset, vocabularySize: Int = 30_522) {
        switch preset {
        case .tiny: self.init(vocabularySize: vocabularySize, hiddenSize: 128, layers: 2, heads: 2, intermediateSize: 512)
        case .mini: self.init(vocabularySize: vocabularySize, hiddenSize: 256, layers: 4, heads: 4, intermediateSize: 1024)
        case .minilm: self.init(vocabularySize: vocabularySize, hiddenSize: 384, layers: 6, heads: 12, intermediateSize: 1536)
        case .bertBase: self.init(vocabularySize: vocabularySize, hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072)
        }
    }

    /// The shape of `xlm-roberta-base` (its config.json): BERT-base (768 wide, 12 layers, 12
    /// heads, FFN 3072) over a 250,002-token vocabulary, 514 positions counted past the padding
    /// index 1, one token type, LayerNorm eps 1e-5.
    public static let xlmRobertaBase: BertConfiguration = {
        var c = BertConfiguration(vocabularySize: 250_002, hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072,
                                  maxPositions: 514, typeVocabularySize: 1, layerNormEps: 1e-5, padTokenID: 1)
        c.modelType = "xlm-roberta"
        return c
    }()

    /// The layer configuration shared by every encoder layer.
    public var layer: TransformerLayerConfiguration {
        TransformerLayerConfiguration(width: hiddenSize, heads: heads, feedForwardWidth: intermediateSize, activation: activation,
                                      layerNormEps: layerNormEps, hiddenDropout: hiddenDropout, attentionDropout: attentionDropout)
    }
}

// MARK: - config.json

extension BertConfiguration {
    /// Model types whose checkpoints are BERT-shaped with BERT's parameter names.
    static let supportedModelTypes: Set<String> = ["bert", "roberta", "xlm-roberta"]

    /// Whether token positions count from past the padding index, skipping padding (RoBERTa's
    /// `create_position_ids_from_input_ids`), rather than from 0.
    public var positionsAfterPadding: Bool { modelType != "bert" }

    /// The most tokens a sequence may have: the position embeddings' count, less the positions
    /// RoBERTa skips.
    public var maxTokens: Int { positionsAfterPadding ? maxPositions - padTokenID - 1 : maxPositions }

    /// Reads a Hugging Face `config.json`, checking every field's type and value.
    public init(contentsOf url: URL) throws(ModelFileError) {
        let object = try JSONObjectFile.read(url)
        let field = JSONObjectFile.Fields(object: object, file: url)
        let modelType: String = try field.required("model_type")
        guard Self.supportedModelTypes.contains(modelType) else {
            throw ModelFileError(url, "unsupported model_type '\(modelType)' (supported: \(Self.supportedModelTypes.sorted().joined(separator: ", ")))")
        }
        let act: String = try field.optional("hidden_act") ?? "gelu"
        guard let activation = Activation(rawValue: act) else {
            throw ModelFileError(url, "unsupported hidden_act '\(act)' (supported: gelu, relu, quick_gelu)")
        }
        let vocabularySize = try field.positive("vocab_size")
        self.init(
            vocabularySize: vocabularySize,
            hiddenSize: try field.positive("hidden_size"),
            layers: try field.positive("num_hidden_layers"),
            heads: try field.positive("num_attention_heads"),
            intermediateSize: try field.positive("intermediate_size"),
            activation: activation,
            hiddenDropout: try field.probability("hidden_dropout_prob", default: 0.1),
            attentionDropout: try field.probability("attention_probs_dropout_prob", default: 0.1),
            maxPositions: try field.positive("max_position_embeddings"),
            typeVocabularySize: try field.integer("type_vocab_size", in: 1...1024, default: 2),
            layerNormEps: try field.positiveFloat("layer_norm_eps", default: 1e-12),
            padTokenID: try field.integer("pad_token_id", in: 0...(vocabularySize - 1), default: 0))
        self.modelType = modelType
        guard hiddenSize % heads == 0 else {
            throw ModelFileError(url, "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
        }
        if let pe: String = try field.optional("position_embedding_type"), pe != "absolute" {
            throw ModelFileError(url, "unsupported position_embedding_type '\(pe)' (supported: absolute)")
        }
    }

    /// The `config.json` Hugging Face's `BertModel` reads.
    public var jsonObject: [String: Any] {
        [
            "architectures": [["roberta": "RobertaModel", "xlm-roberta": "XLMRobertaModel"][modelType] ?? "BertModel"], "model_type": modelType,
            "vocab_size": vocabularySize, "hidden_size": hiddenSize,
            "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": intermediateSize,
            "hidden_act": activation.rawValue, "hidden_dropout_prob": Double(hiddenDropout),
            "attention_probs_dropout_prob": Double(attentionDropout), "max_position_embeddings": maxPositions,
            "type_vocab_size": typeVocabularySize, "layer_norm_eps": Double(layerNormEps), "pad_token_id": padTokenID,
            "position_embedding_type": "absolute", "initializer_range": 0.02,
        ]
    }
}
