import Foundation
@testable import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing

/// ModernBERT against transformers 5.25: the tiny reference checkpoint
/// (`Tests/Fixtures/families/modernbert`: 3 layers, full attention then two sliding-window ones of
/// 8 tokens, no biases) loads by name, and gives transformers' hidden states (after `final_norm`),
/// mean pooling and first-position states for every reference text, in one padded batch (the
/// longest text, 49 tokens, is wider than the window) and alone.
@Suite struct ModernBertParityTests {
    static func model() throws -> ModernBertModel {
        let folder = try TestPaths.fixture("families/modernbert")
        var generator = RandomGenerator(seed: 0)
        let model = ModernBertModel(try ModernBertConfiguration(contentsOf: folder.appendingPathComponent("config.json")),
                                    source: RandomSource(seed: 0), generator: &generator)
        try model.load(stateDict: SafeTensorsFile(path: folder.appendingPathComponent("model.safetensors").path).allTensors(),
                       strict: true, ignoring: ModernBertModel.ignoredCheckpointKeys)
        model.eval()
        return model
    }

    @Test(arguments: [true, false]) func outputsMatchTransformers(padded: Bool) throws {
        let differences = try ReferenceOutputs(family: "modernbert").differences(Self.model(), padded: padded)
        #expect(differences.states.isClose, "last hidden state: \(differences.states)")
        #expect(differences.mean.isClose, "mean pooling: \(differences.mean)")
        #expect(differences.cls.isClose, "first position: \(differences.cls)")
    }

    /// The state dict has the checkpoint's names and values, no more and no fewer: no biases, no
    /// `attn_norm` in the first layer.
    @Test func stateDictRoundTripsTheCheckpoint() throws {
        let checkpoint = try SafeTensorsFile(path: TestPaths.fixture("families/modernbert/model.safetensors").path).allTensors()
        let saved = try Self.model().stateDict()
        #expect(Set(saved.keys) == Set(checkpoint.keys))
        for (name, tensor) in checkpoint { #expect(saved[name]?.scalars == tensor.scalars, "\(name)") }
    }

    /// Every field the configuration writes is one transformers wrote, with the same value, and
    /// the written file reads back as the same configuration.
    @Test func configurationRoundTrips() throws {
        let original = try fixtureConfiguration("modernbert")
        let configuration = try ModernBertConfiguration(contentsOf: TestPaths.fixture("families/modernbert/config.json"))
        #expect(configuration.layerTypes == [.full, .sliding, .sliding] && configuration.windowRadius == 4)
        #expect(configuration.globalRopeTheta == 160_000 && configuration.localRopeTheta == 10_000 && configuration.maxTokens == 128)
        #expect(!configuration.normBias && !configuration.attentionBias && !configuration.mlpBias && configuration.classifierPooling == .cls)
        for (key, value) in configuration.jsonObject {
            #expect(original[key].map { sameJSONValue($0, value) } == true, "\(key): \(value) against \(original[key] ?? "nothing")")
        }
        #expect(try ModernBertConfiguration(contentsOf: writeConfiguration(configuration.jsonObject)) == configuration)
    }

    /// A config.json from before transformers 5 gives its layer pattern as a period and its rotary
    /// bases as two fields.
    @Test func earlierConfigurationsReadTheirOwnFields() throws {
        var object = try fixtureConfiguration("modernbert")
        object["layer_types"] = nil
        object["rope_parameters"] = nil
        object["num_hidden_layers"] = 5
        object["global_attn_every_n_layers"] = 2
        object["global_rope_theta"] = 80_000
        object["local_rope_theta"] = 5_000
        let configuration = try ModernBertConfiguration(contentsOf: writeConfiguration(object))
        #expect(configuration.layerTypes == [.full, .sliding, .full, .sliding, .full])
        #expect(configuration.globalRopeTheta == 80_000 && configuration.localRopeTheta == 5_000)
    }

    @Test(arguments: [
        ("intermediate_size", nil, "field 'intermediate_size' is missing"),
        ("model_type", "bert", "model_type 'bert' is not modernbert"),
        ("norm_bias", 1, "field 'norm_bias' should be a boolean, found a number"),
        ("layer_types", ["full_attention"], "field 'layer_types' lists 1 layers, num_hidden_layers is 3"),
        ("layer_types", ["full_attention", "chunked_attention", "sliding_attention"],
         "unsupported layer type 'chunked_attention' in 'layer_types' (supported: full_attention, sliding_attention)"),
        ("rope_parameters", ["full_attention": ["rope_type": "yarn"]],
         "unsupported rope_type 'yarn' for full_attention (supported: default)"),
        ("rope_parameters", ["sliding_attention": ["rope_theta": "large"]],
         "field 'rope_parameters.sliding_attention.rope_theta' should be a number, found a string"),
        ("classifier_pooling", "max", "classifier_pooling 'max' is neither cls nor mean"),
        ("num_attention_heads", 32, "the head size 1 (hidden_size / num_attention_heads) is odd: rotary positions turn pairs"),
    ] as [(String, (any Sendable)?, String)])
    func configurationErrorsNameTheFileAndTheField(key: String, value: (any Sendable)?, problem: String) throws {
        var object = try fixtureConfiguration("modernbert")
        object[key] = value
        let file = try writeConfiguration(object)
        #expect(throws: ModelFileError(file, problem)) { try ModernBertConfiguration(contentsOf: file) }
    }

    /// The window mask lets through the pairs at most `radius` apart, and is left out when every
    /// pair is.
    @Test func windowMaskCoversTheRadiusOnEachSide() throws {
        #expect(ModernBertModel.windowMask(tokens: 5, radius: 4) == nil)
        let mask = try #require(ModernBertModel.windowMask(tokens: 6, radius: 4)).scalars
        let open = mask.indices.filter { mask[$0] == 0 }.map { ($0 / 6, $0 % 6) }
        #expect(open.count == 34 && open.allSatisfy { abs($0.0 - $0.1) <= 4 })
    }
}
