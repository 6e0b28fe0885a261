import Foundation
import NeuralNetworks
import Tensors

/// The shape of a ModernBERT encoder, read from (and written to) a Hugging Face `config.json`
/// whose `model_type` is `modernbert`, in transformers 5's form (`layer_types`, `rope_parameters`)
/// or the earlier one (`global_attn_every_n_layers`, `global_rope_theta`, `local_rope_theta`).
public struct ModernBertConfiguration: Sendable, Equatable {
    /// How a layer attends (config.json's `layer_types`).
    public enum LayerType: String, Sendable, CaseIterable {
        /// Every token attends to every token.
        case full = "full_attention"
        /// Each token attends to the tokens within ``ModernBertConfiguration/windowRadius`` of it.
        case sliding = "sliding_attention"
    }

    /// What transformers' classification heads pool (`classifier_pooling`).
    public enum ClassifierPooling: String, Sendable {
        case cls, mean
    }

    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    /// The width of each half of the gated feed-forward block (`Wi` makes twice as many).
    public var intermediateSize: Int
    /// `hidden_activation`, applied to the first half of the gated block.
    public var activation: Activation
    /// `max_position_embeddings`: the longest input the rotary positions were trained for.
    public var maxPositions: Int
    public var normEps: Float
    /// Whether the LayerNorms have a bias (`norm_bias`).
    public var normBias: Bool
    /// Whether `Wqkv` and `attn.Wo` have biases (`attention_bias`).
    public var attentionBias: Bool
    /// Whether `Wi` and `mlp.Wo` have biases (`mlp_bias`).
    public var mlpBias: Bool
    /// Dropout on the attention probabilities and on the attention's output.
    public var attentionDropout: Float
    public var embeddingDropout: Float
    /// Dropout on the gated feed-forward block's hidden state.
    public var mlpDropout: Float
    /// Dropout of transformers' classification heads, which heads put on this encoder reuse.
    public var classifierDropout: Float
    public var classifierPooling: ClassifierPooling
    /// The window of sliding-attention layers, in tokens (`local_attention`): a token attends to
    /// those at most ``windowRadius`` positions away, on either side.
    public var localAttention: Int
    /// `global_attn_every_n_layers`: the period of full-attention layers, from which
    /// ``layerTypes`` follow when config.json does not list them.
    public var globalAttentionEvery: Int
    /// How each layer attends.
    public var layerTypes: [LayerType]
    /// The rotary base of full-attention layers (`rope_theta` of `full_attention`).
    public var globalRopeTheta: Double
    /// The rotary base of sliding-attention layers (`rope_theta` of `sliding_attention`).
    public var localRopeTheta: Double
    /// The standard deviation of the random initial weights.
    public var initializerRange: Float
    public var padTokenID: Int
    public var bosTokenID: Int
    public var eosTokenID: Int
    public var clsTokenID: Int
    public var sepTokenID: Int

    /// A configuration with transformers' defaults (ModernBERT-base's) for what is not given;
    /// `layerTypes` defaults to full attention every `globalAttentionEvery` layers, from the first.
    public init(vocabularySize: Int = 50_368, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                activation: Activation = .gelu, maxPositions: Int = 8192, normEps: Float = 1e-5, normBias: Bool = false,
                attentionBias: Bool = false, mlpBias: Bool = false, attentionDropout: Float = 0, embeddingDropout: Float = 0,
                mlpDropout: Float = 0, classifierDropout: Float = 0, classifierPooling: ClassifierPooling = .cls,
                localAttention: Int = 128, globalAttentionEvery: Int = 3, layerTypes: [LayerType]? = nil,
                globalRopeTheta: Double = 160_000, localRopeTheta: Double = 10_000, initializerRange: Float = 0.02,
                padTokenID: Int = 50_283, bosTokenID: Int = 50_281, eosTokenID: Int = 50_282, clsTokenID: Int = 50_281,
                sepTokenID: Int = 50_282) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.maxPositions = maxPositions
        self.normEps = normEps
        self.normBias = normBias
        self.attentionBias = attentionBias
        self.mlpBias = mlpBias
        self.attentionDropout = attentionDropout
        self.embeddingDropout = embeddingDropout
        self.mlpDropout = mlpDropout
        self.classifierDropout = classifierDropout
        self.classifierPooling = classifierPooling
        self.localAttention = localAttention
        self.globalAttentionEvery = globalAttentionEvery
        self.layerTypes = layerTypes ?? (0..<layers).map { $0 % globalAttentionEvery == 0 ? .full : .sliding }
        self.globalRopeTheta = globalRopeTheta
        self.localRopeTheta = localRopeTheta
        self.initializerRange = initializerRange
        self.padTokenID = padTokenID
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.clsTokenID = clsTokenID
        self.sepTokenID = sepTokenID
    }

    /// The shape of `answerdotai/ModernBERT-base` (its config.json): 768 wide, 22 layers, 12
    /// heads, gated feed-forward blocks of 1152, and the defaults for the rest (50,368 tokens,
    /// full attention every third layer, a window of 128 tokens, rotary bases 160,000 and 10,000,
    /// no biases, norm eps 1e-5); its classification heads mean-pool.
    public static let base = ModernBertConfiguration(hiddenSize: 768, layers: 22, heads: 12, intermediateSize: 1152, classifierPooling: .mean)

    /// The farthest a sliding-attention layer looks on each side: `local_attention / 2`, as
    /// transformers' masks count it (a token and its neighbours at most this far apart attend to
    /// each other).
    public var windowRadius: Int { localAttention / 2 }

    /// The width of each attention head.
    public var headSize: Int { hiddenSize / heads }

    /// The longest input, in tokens: `max_position_embeddings` (rotary positions have no table,
    /// but the model was not trained past it).
    public var maxTokens: Int { maxPositions }

    /// The rotary base of the layers of `type`.
    public func ropeTheta(_ type: LayerType) -> Double { type == .full ? globalRopeTheta : localRopeTheta }
}

// MARK: - config.json

extension ModernBertConfiguration {
    /// Reads a Hugging Face `config.json` of model type `modernbert`, checking every field's type
    /// and value.
    public init(contentsOf url: URL) throws(ModelFileError) {
        let object = try JSONObjectFile.read(url)
        let field = JSONObjectFile.Fields(object: object, file: url)
        let modelType: String = try field.required("model_type")
        guard modelType == "modernbert" else { throw ModelFileError(url, "model_type '\(modelType)' is not modernbert") }
        let act: String = try field.optional("hidden_activation") ?? "gelu"
        guard let activation = Activation(rawValue: act) else {
            throw ModelFileError(url, "unsupported hidden_activation '\(act)' (supported: gelu, relu)")
        }
        let pooling: String = try field.optional("classifier_pooling") ?? "cls"
        guard let classifierPooling = ClassifierPooling(rawValue: pooling) else {
            throw ModelFileError(url, "classifier_pooling '\(pooling)' is neither cls nor mean")
        }
        let layers = try field.positive("num_hidden_layers")
        let globalAttentionEvery = try field.integer("global_attn_every_n_layers", in: 1...Int.max, default: 3)
        var layerTypes: [LayerType]?
        if let names: [String] = try field.optional("layer_types") {
            guard names.count == layers else {
                throw ModelFileError(url, "field 'layer_types' lists \(names.count) layers, num_hidden_layers is \(layers)")
            }
            layerTypes = try names.map { name throws(ModelFileError) in
                guard let type = LayerType(rawValue: name) else {
                    throw ModelFileError(url, "unsupported layer type '\(name)' in 'layer_types' (supported: full_attention, sliding_attention)")
                }
                return type
            }
        }
        let token = { (key: String, fallback: Int) throws(ModelFileError) -> Int in try field.integer(key, in: 0...Int.max, default: fallback) }
        self.init(
            vocabularySize: try field.positive("vocab_size"),
            hiddenSize: try field.positive("hidden_size"),
            layers: layers,
            heads: try field.positive("num_attention_heads"),
            intermediateSize: try field.positive("intermediate_size"),
            activation: activation,
            maxPositions: try field.positive("max_position_embeddings"),
            normEps: try field.positiveFloat("norm_eps", default: 1e-5),
            normBias: try field.optional("norm_bias") ?? false,
            attentionBias: try field.optional("attention_bias") ?? false,
            mlpBias: try field.optional("mlp_bias") ?? false,
            attentionDropout: try field.probability("attention_dropout", default: 0),
            embeddingDropout: try field.probability("embedding_dropout", default: 0),
            mlpDropout: try field.probability("mlp_dropout", default: 0),
            classifierDropout: try field.probability("classifier_dropout", default: 0),
            classifierPooling: classifierPooling,
            localAttention: try field.integer("local_attention", in: 1...Int.max, default: 128),
            globalAttentionEvery: globalAttentionEvery,
            layerTypes: layerTypes,
            globalRopeTheta: try Self.ropeTheta(field, type: .full, legacyKey: "global_rope_theta", default: 160_000),
            localRopeTheta: try Self.ropeTheta(field, type: .sliding, legacyKey: "local_rope_theta", default: 10_000),
            initializerRange: try field.positiveFloat("initializer_range", default: 0.02),
            padTokenID: try token("pad_token_id", 50_283),
            bosTokenID: try token("bos_token_id", 50_281),
            eosTokenID: try token("eos_token_id", 50_282),
            clsTokenID: try token("cls_token_id", 50_281),
            sepTokenID: try token("sep_token_id", 50_282))
        guard hiddenSize % heads == 0 else {
            throw ModelFileError(url, "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
        }
        guard headSize % 2 == 0 else {
            throw ModelFileError(url, "the head size \(headSize) (hidden_size / num_attention_heads) is odd: rotary positions turn pairs")
        }
    }

    /// The rotary base of `type`'s layers: `rope_parameters.<type>.rope_theta` (transformers 5),
    /// else the earlier `legacyKey`, else transformers' default; only the default rope type is
    /// supported.
    private static func ropeTheta(_ field: JSONObjectFile.Fields, type: LayerType, legacyKey: String,
                                  default fallback: Double) throws(ModelFileError) -> Double {
        let parameters = try field.nested("rope_parameters")?.nested(type.rawValue)
        if let ropeType: String = try parameters?.optional("rope_type"), ropeType != "default" {
            throw ModelFileError(field.file, "unsupported rope_type '\(ropeType)' for \(type.rawValue) (supported: default)")
        }
        let current: Double? = try parameters?.optional("rope_theta"), legacy: Double? = try field.optional(legacyKey)
        let theta = current ?? legacy ?? fallback
        guard theta > 0 && Float(theta).isFinite else {
            throw ModelFileError(field.file, "the rope_theta of \(type.rawValue) should be a positive single-precision number, found \(theta)")
        }
        return theta
    }

    /// The `config.json` Hugging Face's `ModernBertModel` reads, as transformers 5 writes it.
    public var jsonObject: [String: Any] {
        [
            "architectures": ["ModernBertModel"], "model_type": "modernbert",
            "vocab_size": vocabularySize, "hidden_size": hiddenSize, "num_hidden_layers": layers,
            "num_attention_heads": heads, "intermediate_size": intermediateSize, "hidden_activation": activation.rawValue,
            "max_position_embeddings": maxPositions, "norm_eps": Double(normEps), "norm_bias": normBias,
            "attention_bias": attentionBias, "mlp_bias": mlpBias, "attention_dropout": Double(attentionDropout),
            "embedding_dropout": Double(embeddingDropout), "mlp_dropout": Double(mlpDropout),
            "classifier_dropout": Double(classifierDropout), "classifier_pooling": classifierPooling.rawValue,
            "local_attention": localAttention, "global_attn_every_n_layers": globalAttentionEvery,
            "layer_types": layerTypes.map(\.rawValue),
            "rope_parameters": Dictionary(uniqueKeysWithValues: LayerType.allCases.map { type in
                (type.rawValue, ["rope_type": "default", "rope_theta": ropeTheta(type)] as [String: Any])
            }),
            "initializer_range": Double(initializerRange),
            "pad_token_id": padTokenID, "bos_token_id": bosTokenID, "eos_token_id": eosTokenID,
            "cls_token_id": clsTokenID, "sep_token_id": sepTokenID,
        ]
    }
}
