import Foundation
import NeuralNetworks
import Tensors

/// The shape of CLIP's text encoder (Hugging Face's `CLIPTextConfig`): a causal pre-LN transformer
/// over byte-level BPE tokens, pooled at the end-of-text token. Defaults are transformers'.
public struct CLIPTextConfiguration: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    /// The position embeddings' count: the longest input in tokens (77 in OpenAI's checkpoints).
    public var maxPositions: Int
    public var activation: Activation
    public var layerNormEps: Float
    public var attentionDropout: Float
    public var bosTokenID: Int
    /// The end-of-text token whose state is the text's embedding. Configurations written before
    /// transformers' PR #24773 say 2; for those, the position of each row's largest id is pooled
    /// instead (OpenAI's end-of-text token has the largest id of its vocabulary).
    public var eosTokenID: Int
    public var padTokenID: Int

    /// A text encoder of this shape; the defaults are `CLIPTextConfig`'s (OpenAI's ViT-B/32 text tower).
    public init(vocabularySize: Int = 49_408, hiddenSize: Int = 512, layers: Int = 12, heads: Int = 8, intermediateSize: Int = 2048,
                maxPositions: Int = 77, activation: Activation = .quickGelu, layerNormEps: Float = 1e-5, attentionDropout: Float = 0,
                bosTokenID: Int = 49_406, eosTokenID: Int = 49_407, padTokenID: Int = 1) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.activation = activation
        self.layerNormEps = layerNormEps
        self.attentionDropout = attentionDropout
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
    }

    /// The configuration of every text layer (CLIP has no hidden-state dropout).
    public var layer: TransformerLayerConfiguration {
        TransformerLayerConfiguration(width: hiddenSize, heads: heads, feedForwardWidth: intermediateSize, activation: activation,
                                      layerNormEps: layerNormEps, hiddenDropout: 0, attentionDropout: attentionDropout)
    }
}

/// A CLIP checkpoint's shape, read from (and written to) the `config.json` of Hugging Face's
/// `CLIPModel`: the text encoder, the vision encoder (a ViT, whose configuration type it shares
/// with ALIGN's and VLMo's), the width of the shared embedding space and the initial logit scale.
public struct CLIPConfiguration: Sendable, Equatable {
    public var text: CLIPTextConfiguration
    /// The image encoder; its hidden dropout is always 0 (CLIP has none).
    public var vision: VisionTransformerConfiguration
    /// The width of the shared embedding space (`projection_dim`).
    public var projectionSize: Int
    /// The initial `logit_scale`, a log: 2.6592 = log(1 / 0.07).
    public var logitScaleInitialValue: Double

    /// A configuration of these parts; the defaults are `CLIPConfig`'s.
    public init(text: CLIPTextConfiguration, vision: VisionTransformerConfiguration, projectionSize: Int = 512,
                logitScaleInitialValue: Double = 2.6592) {
        self.text = text
        self.vision = vision
        self.projectionSize = projectionSize
        self.logitScaleInitialValue = logitScaleInitialValue
    }

    /// The shape of `openai/clip-vit-base-patch32`: the default text encoder (512 wide, 12 layers,
    /// 8 heads, FFN 2048, 77 positions) and a ViT-B/32 (224-pixel images in patches of 32, 768
    /// wide, 12 layers, 12 heads, FFN 3072), both with quick_gelu and LayerNorm eps 1e-5,
    /// projected to 512.
    public static let vitBase32 = CLIPConfiguration(
        text: CLIPTextConfiguration(),
        vision: VisionTransformerConfiguration(imageSize: 224, patchSize: 32, channels: 3, hiddenSize: 768, layers: 12, heads: 12,
                                               intermediateSize: 3072, activation: .quickGelu, layerNormEps: 1e-5))
}

// MARK: - config.json

extension CLIPConfiguration {
    /// Reads a Hugging Face `CLIPModel` `config.json`, checking every field's type and value;
    /// errors name the file and the field (`text_config.hidden_size`).
    public init(contentsOf url: URL) throws(ModelFileError) {
        let field = JSONObjectFile.Fields(object: try JSONObjectFile.read(url), file: url)
        let modelType: String = try field.required("model_type")
        guard modelType == "clip" else { throw ModelFileError(url, "unsupported model_type '\(modelType)' (supported: clip)") }
        // Absent towers take transformers' defaults.
        let textField = try field.nested("text_config") ?? .init(object: [:], file: url, path: "text_config.")
        let visionField = try field.nested("vision_config") ?? .init(object: [:], file: url, path: "vision_config.")

        let vocabularySize = try textField.positive("vocab_size")
        func tokenID(_ key: String, default fallback: Int) throws(ModelFileError) -> Int {
            try textField.integer(key, in: 0...(vocabularySize - 1), default: fallback)
        }
        let text = CLIPTextConfiguration(
            vocabularySize: vocabularySize,
            hiddenSize: try textField.positive("hidden_size"),
            layers: try textField.positive("num_hidden_layers"),
            heads: try textField.positive("num_attention_heads"),
            intermediateSize: try textField.positive("intermediate_size"),
            maxPositions: try textField.positive("max_position_embeddings"),
            activation: try Self.activation(textField),
            layerNormEps: try textField.positiveFloat("layer_norm_eps", default: 1e-5),
            attentionDropout: try textField.probability("attention_dropout", default: 0),
            bosTokenID: try tokenID("bos_token_id", default: 49_406),
            eosTokenID: try tokenID("eos_token_id", default: 49_407),
            padTokenID: try tokenID("pad_token_id", default: 1))
        guard text.hiddenSize % text.heads == 0 else {
            throw ModelFileError(url, "text_config.hidden_size \(text.hiddenSize) is not divisible by num_attention_heads \(text.heads)")
        }

        let (imageSize, patchSize) = (try visionField.positive("image_size"), try visionField.positive("patch_size"))
        let (width, heads) = (try visionField.positive("hidden_size"), try visionField.positive("num_attention_heads"))
        guard imageSize % patchSize == 0 else {
            throw ModelFileError(url, "vision_config.patch_size \(patchSize) does not divide image_size \(imageSize)")
        }
        guard width % heads == 0 else {
            throw ModelFileError(url, "vision_config.hidden_size \(width) is not divisible by num_attention_heads \(heads)")
        }
        let vision = VisionTransformerConfiguration(
            imageSize: imageSize, patchSize: patchSize, channels: try visionField.positive("num_channels", default: 3),
            hiddenSize: width, layers: try visionField.positive("num_hidden_layers"), heads: heads,
            intermediateSize: try visionField.positive("intermediate_size"), activation: try Self.activation(visionField),
            hiddenDropout: 0, attentionDropout: try visionField.probability("attention_dropout", default: 0),
            layerNormEps: try visionField.positiveFloat("layer_norm_eps", default: 1e-5))

        let logitScale: Double = try field.optional("logit_scale_init_value") ?? 2.6592
        guard logitScale.isFinite && Float(logitScale).isFinite else {
            throw ModelFileError(url, "field 'logit_scale_init_value' should be a finite number, found \(logitScale)")
        }
        self.init(text: text, vision: vision, projectionSize: try field.positive("projection_dim", default: 512),
                  logitScaleInitialValue: logitScale)
    }

    private static func activation(_ field: JSONObjectFile.Fields) throws(ModelFileError) -> Activation {
        let name: String = try field.optional("hidden_act") ?? "quick_gelu"
        guard let activation = Activation(rawValue: name) else {
            throw ModelFileError(field.file, "unsupported \(field.path)hidden_act '\(name)' (supported: quick_gelu, gelu, relu)")
        }
        return activation
    }

    /// The `config.json` Hugging Face's `CLIPModel` reads (each part's `projection_dim` set to the
    /// model's, which is the one `CLIPModel` uses). The initialiser scales are left to their
    /// defaults: transformers 5 refuses a float field written as an integer (`1` for 1.0), which
    /// is how `JSONSerialization` writes whole numbers.
    public var jsonObject: [String: Any] {
        let t = text, v = vision
        // Single-precision values as their shortest decimals (1e-05, not 9.999999747378752e-06).
        func decimal(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }
        return [
            "architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": projectionSize,
            "logit_scale_init_value": logitScaleInitialValue,
            "text_config": [
                "model_type": "clip_text_model", "vocab_size": t.vocabularySize, "hidden_size": t.hiddenSize,
                "intermediate_size": t.intermediateSize, "num_hidden_layers": t.layers, "num_attention_heads": t.heads,
                "max_position_embeddings": t.maxPositions, "hidden_act": t.activation.rawValue, "layer_norm_eps": decimal(t.layerNormEps),
                "attention_dropout": decimal(t.attentionDropout), "bos_token_id": t.bosTokenID, "eos_token_id": t.eosTokenID,
                "pad_token_id": t.padTokenID, "projection_dim": projectionSize,
            ] as [String: Any],
            "vision_config": [
                "model_type": "clip_vision_model", "image_size": v.imageSize, "patch_size": v.patchSize, "num_channels": v.channels,
                "hidden_size": v.hiddenSize, "intermediate_size": v.intermediateSize, "num_hidden_layers": v.layers,
                "num_attention_heads": v.heads, "hidden_act": v.activation.rawValue, "layer_norm_eps": decimal(v.layerNormEps),
                "attention_dropout": decimal(v.attentionDropout), "projection_dim": projectionSize,
            ] as [String: Any],
        ]
    }
}
