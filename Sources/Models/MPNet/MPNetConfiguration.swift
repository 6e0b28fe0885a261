import Foundation
import NeuralNetworks
import Tensors

/// The shape of an MPNet encoder, read from (and written to) a Hugging Face `config.json` whose
/// `model_type` is `mpnet`.
public struct MPNetConfiguration: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var maxPositions: Int
    public var layerNormEps: Float
    /// Rows of the relative position bias table (`relative_attention_num_buckets`), of which the
    /// first ``relativePositionBuckets`` are used.
    public var relativeAttentionBuckets: Int
    /// The standard deviation of the random initial weights.
    public var initializerRange: Float
    public var padTokenID: Int
    public var bosTokenID: Int
    public var eosTokenID: Int

    /// A configuration with transformers' defaults (`MPNetConfig`'s) for what is not given.
    public init(vocabularySize: Int = 30_527, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                activation: Activation = .gelu, hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1, maxPositions: Int = 512,
                layerNormEps: Float = 1e-12, relativeAttentionBuckets: Int = 32, initializerRange: Float = 0.02,
                padTokenID: Int = 1, bosTokenID: Int = 0, eosTokenID: Int = 2) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.maxPositions = maxPositions
        self.layerNormEps = layerNormEps
        self.relativeAttentionBuckets = relativeAttentionBuckets
        self.initializerRange = initializerRange
        self.padTokenID = padTokenID
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
    }

    /// The shape of `microsoft/mpnet-base` and of sentence-transformers' `all-mpnet-base-v2`
    /// (their config.json): 768 wide, 12 layers, 12 heads, FFN 3072, 30,527 tokens, 514
    /// positions, LayerNorm eps 1e-5.
    public static let base = MPNetConfiguration(hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072, maxPositions: 514,
                                                layerNormEps: 1e-5)

    /// The buckets relative positions fall into: transformers' `MPNetEncoder` computes its bias
    /// with the default 32 of `compute_position_bias`, whatever `relative_attention_num_buckets` says.
    public static let relativePositionBuckets = 32

    /// The index positions count from (RoBERTa's scheme): transformers' `MPNetEmbeddings` fixes it
    /// at 1 rather than reading `pad_token_id`.
    public static let paddingIndex = 1

    /// The most tokens a sequence may have: the position embeddings' count, less the positions up
    /// to the padding index that tokens never take.
    public var maxTokens: Int { maxPositions - Self.paddingIndex - 1 }
}

// MARK: - config.json

extension MPNetConfiguration {
    /// Reads a Hugging Face `config.json` of model type `mpnet`, checking every field's type and value.
    public init(contentsOf url: URL) throws(ModelFileError) {
        let object = try JSONObjectFile.read(url)
        let field = JSONObjectFile.Fields(object: object, file: url)
        let modelType: String = try field.required("model_type")
        guard modelType == "mpnet" else { throw ModelFileError(url, "model_type '\(modelType)' is not mpnet") }
        let act: String = try field.optional("hidden_act") ?? "gelu"
        guard let activation = Activation(rawValue: act) else {
            throw ModelFileError(url, "unsupported hidden_act '\(act)' (supported: gelu, relu)")
        }
        let vocabularySize = try field.positive("vocab_size")
        guard vocabularySize > Self.paddingIndex else {
            throw ModelFileError(url, "vocab_size \(vocabularySize) leaves no room for the padding index \(Self.paddingIndex)")
        }
        let maxPositions = try field.positive("max_position_embeddings")
        guard maxPositions > Self.paddingIndex + 1 else {
            throw ModelFileError(url, "max_position_embeddings \(maxPositions) leaves no position past the padding index \(Self.paddingIndex)")
        }
        self.init(
            vocabularySize: vocabularySize,
            hiddenSize: try field.positive("hidden_size"),
            layers: try field.positive("num_hidden_layers"),
            heads: try field.positive("num_attention_heads"),
            intermediateSize: try field.positive("intermediate_size"),
            activation: activation,
            hiddenDropout: try field.probability("hidden_dropout_prob", default: 0.1),
            attentionDropout: try field.probability("attention_probs_dropout_prob", default: 0.1),
            maxPositions: maxPositions,
            layerNormEps: try field.positiveFloat("layer_norm_eps", default: 1e-12),
            relativeAttentionBuckets: try field.integer("relative_attention_num_buckets", in: Self.relativePositionBuckets...Int.max,
                                                        default: Self.relativePositionBuckets),
            initializerRange: try field.positiveFloat("initializer_range", default: 0.02),
            padTokenID: try field.integer("pad_token_id", in: 0...(vocabularySize - 1), default: 1),
            bosTokenID: try field.integer("bos_token_id", in: 0...(vocabularySize - 1), default: 0),
            eosTokenID: try field.integer("eos_token_id", in: 0...(vocabularySize - 1), default: 2))
        guard hiddenSize % heads == 0 else {
            throw ModelFileError(url, "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
        }
    }

    /// The `config.json` Hugging Face's `MPNetModel` reads.
    public var jsonObject: [String: Any] {
        [
            "architectures": ["MPNetModel"], "model_type": "mpnet",
            "vocab_size": vocabularySize, "hidden_size": hiddenSize,
            "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": intermediateSize,
            "hidden_act": activation.rawValue, "hidden_dropout_prob": Double(hiddenDropout),
            "attention_probs_dropout_prob": Double(attentionDropout), "max_position_embeddings": maxPositions,
            "layer_norm_eps": Double(layerNormEps), "relative_attention_num_buckets": relativeAttentionBuckets,
            "initializer_range": Double(initializerRange),
            "pad_token_id": padTokenID, "bos_token_id": bosTokenID, "eos_token_id": eosTokenID,
        ]
    }
}
