import Foundation
@testable import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing

/// MPNet against transformers 5.25: the tiny reference checkpoint (`Tests/Fixtures/families/mpnet`)
/// loads by name, and gives transformers' hidden states, mean pooling and first-position states
/// for every reference text, in one padded batch and alone.
@Suite struct MPNetParityTests {
    static func model() throws -> MPNetModel {
        let folder = try TestPaths.fixture("families/mpnet")
        var generator = RandomGenerator(seed: 0)
        let model = MPNetModel(try MPNetConfiguration(contentsOf: folder.appendingPathComponent("config.json")),
                               source: RandomSource(seed: 0), generator: &generator)
        try model.load(stateDict: SafeTensorsFile(path: folder.appendingPathComponent("model.safetensors").path).allTensors(),
                       strict: true, ignoring: MPNetModel.ignoredCheckpointKeys)
        model.eval()
        return model
    }

    @Test(arguments: [true, false]) func outputsMatchTransformers(padded: Bool) throws {
        let differences = try ReferenceOutputs(family: "mpnet").differences(Self.model(), padded: padded)
        #expect(differences.states.isClose, "last hidden state: \(differences.states)")
        #expect(differences.mean.isClose, "mean pooling: \(differences.mean)")
        #expect(differences.cls.isClose, "first position: \(differences.cls)")
    }

    /// The state dict has the checkpoint's names and values, no more and no fewer.
    @Test func stateDictRoundTripsTheCheckpoint() throws {
        let checkpoint = try SafeTensorsFile(path: TestPaths.fixture("families/mpnet/model.safetensors").path).allTensors()
        let saved = try Self.model().stateDict()
        #expect(Set(saved.keys) == Set(checkpoint.keys))
        for (name, tensor) in checkpoint { #expect(saved[name]?.scalars == tensor.scalars, "\(name)") }
    }

    /// Every field the configuration writes is one transformers wrote, with the same value, and
    /// the written file reads back as the same configuration.
    @Test func configurationRoundTrips() throws {
        let original = try fixtureConfiguration("mpnet")
        let configuration = try MPNetConfiguration(contentsOf: TestPaths.fixture("families/mpnet/config.json"))
        #expect(configuration.hiddenSize == 32 && configuration.layers == 2 && configuration.heads == 4
            && configuration.relativeAttentionBuckets == 32 && configuration.maxTokens == 78)
        for (key, value) in configuration.jsonObject {
            #expect(original[key].map { sameJSONValue($0, value) } == true, "\(key): \(value) against \(original[key] ?? "nothing")")
        }
        #expect(try MPNetConfiguration(contentsOf: writeConfiguration(configuration.jsonObject)) == configuration)
    }

    @Test(arguments: [
        ("hidden_size", nil, "field 'hidden_size' is missing"),
        ("model_type", "bert", "model_type 'bert' is not mpnet"),
        ("num_attention_heads", 5, "hidden_size 32 is not divisible by num_attention_heads 5"),
        ("relative_attention_num_buckets", 16, "field 'relative_attention_num_buckets' should be within 32...\(Int.max), found 16"),
        ("hidden_act", "swish", "unsupported hidden_act 'swish' (supported: gelu, relu)"),
    ] as [(String, (any Sendable)?, String)])
    func configurationErrorsNameTheFileAndTheField(key: String, value: (any Sendable)?, problem: String) throws {
        var object = try fixtureConfiguration("mpnet")
        object[key] = value
        let file = try writeConfiguration(object)
        #expect(throws: ModelFileError(file, problem)) { try MPNetConfiguration(contentsOf: file) }
    }

    /// transformers' `relative_position_bucket` (bidirectional, 32 buckets, max distance 128), as
    /// PyTorch computes it: keys before the query in buckets 0..<16, after it in 16..<32; one
    /// bucket per distance below 8, then logarithmic up to 128 (64 lands exactly on bucket 8 + 6).
    @Test func relativePositionsFallInTransformersBuckets() {
        let expected: [Int: Int] = [0: 0, -1: 1, -7: 7, -8: 8, -11: 8, -12: 9, -16: 10, -32: 12, -63: 13, -64: 14, -127: 15, -500: 15,
                                    1: 17, 7: 23, 8: 24, 16: 26, 64: 30, 128: 31, 1000: 31]
        for (offset, bucket) in expected { #expect(MPNetModel.relativePositionBucket(offset) == bucket, "offset \(offset)") }
    }
}
