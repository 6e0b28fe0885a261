import Foundation
import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing

/// Saving and loading model folders, and the one-line errors for malformed ones.
@Suite struct ModelFolderTests {
    static func savedTinyFolder() throws -> (URL, SentenceEncoder) {
        let encoder = try SentenceEncoder.randomlyInitialized(.tiny, pooling: Pooling(mode: .mean, normalize: true), maxLength: 64, seed: 5)
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("tiny")
        try encoder.save(to: folder)
        return (folder, encoder)
    }

    /// Loading `folder` throws an error whose description mentions every fragment.
    func expectLoadError(_ folder: URL, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SentenceEncoder(directory: folder)
            Issue.record("loading \(folder.path) succeeded", sourceLocation: sourceLocation)
        } catch {
            let message = String(describing: error)
            #expect(!message.contains("\n"), "multi-line message: \(message)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(message.contains(fragment), "'\(message)' lacks '\(fragment)'", sourceLocation: sourceLocation)
            }
        }
    }

    func rewriteConfig(_ folder: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    @Test func savedFolderLoadsWithTheSameEmbeddings() throws {
        let (folder, original) = try Self.savedTinyFolder()
        let loaded = try SentenceEncoder(directory: folder)
        #expect(loaded.pooling == original.pooling)
        #expect(loaded.maxLength == 64)
        let sentences = ["A man is playing a guitar.", "Zwei Hunde spielen im Schnee.", "短い文"]
        #expect(loaded.encode(sentences).scalars == original.encode(sentences).scalars)
        for file in ["config.json", "model.safetensors", "vocab.txt", "modules.json", "1_Pooling/config.json",
                     "sentence_bert_config.json", "config_sentence_transformers.json", "tokenizer_config.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "missing \(file)")
        }
    }

    /// Every pooling round-trips; the folder names it as sentence-transformers does where it has
    /// the mode (its "cls" is our cls_before_pooler; our cls adds the pooler as a tanh Dense module).
    @Test(arguments: PoolingMode.allCases)
    func poolingModesRoundTripWithSentenceTransformersNames(mode: PoolingMode) throws {
        let encoder = try SentenceEncoder.randomlyInitialized(.tiny, pooling: Pooling(mode: mode, normalize: true), maxLength: 32, seed: 6)
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("tiny-\(mode.rawValue)")
        try encoder.save(to: folder)
        let loaded = try SentenceEncoder(directory: folder)
        #expect(loaded.pooling == encoder.pooling)
        #expect(loaded.encode(["a short sentence"]).scalars == encoder.encode(["a short sentence"]).scalars)
        let pooling = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("1_Pooling/config.json"))) as! [String: Any]
        let expected: [PoolingMode: String] = [.cls: "cls", .clsBeforePooler: "cls", .mean: "mean", .max: "max"]
        #expect(pooling["pooling_mode"] as? String == expected[mode] ?? mode.rawValue)
        let modules = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("modules.json"))) as! [[String: Any]]
        #expect(modules.map { $0["path"] as! String } == (mode == .cls ? ["", "1_Pooling", "2_Dense", "3_Normalize"] : ["", "1_Pooling", "2_Normalize"]))
        if mode == .cls {
            let dense = try SafeTensorsFile(path: folder.appendingPathComponent("2_Dense/model.safetensors").path)
            #expect(try dense.tensor(named: "linear.weight").scalars == encoder.model.pooler!.weight.scalars)
        }
    }

    /// Modules past pooling are applied or refused, never skipped: a Dense layer after mean
    /// pooling (as distiluse's), another module type, or a Dense that is not the pooler.
    @Test func modulesThatWouldChangeTheEmbeddingsAreRefused() throws {
        let encoder = try SentenceEncoder.randomlyInitialized(.tiny, pooling: Pooling(mode: .cls), maxLength: 32, seed: 6)
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("tiny-cls")
        try encoder.save(to: folder)
        let modulesURL = folder.appendingPathComponent("modules.json")
        let saved = try Data(contentsOf: modulesURL)
        func modules(_ types: [(String, String)]) throws {
            let list = types.enumerated().map { ["idx": $0.offset, "name": "\($0.offset)", "path": $0.element.1, "type": "sentence_transformers.models.\($0.element.0)"] }
            try JSONSerialization.data(withJSONObject: list).write(to: modulesURL)
        }
        try modules([("Transformer", ""), ("Pooling", "1_Pooling"), ("LayerNorm", "2_LayerNorm")])
        expectLoadError(folder, ["modules.json", "LayerNorm", "not supported"])
        let pooling = folder.appendingPathComponent("1_Pooling/config.json"), savedPooling = try Data(contentsOf: pooling)
        try JSONSerialization.data(withJSONObject: ["word_embedding_dimension": 128, "pooling_mode": "mean"]).write(to: pooling)
        try modules([("Transformer", ""), ("Pooling", "1_Pooling"), ("Dense", "2_Dense")])
        expectLoadError(folder, ["modules.json", "Dense", "not supported"])
        try savedPooling.write(to: pooling)
        try saved.write(to: modulesURL)
        #expect(try SentenceEncoder(directory: folder).encode(["a sentence"]).scalars == encoder.encode(["a sentence"]).scalars)
        let dense = folder.appendingPathComponent("2_Dense/model.safetensors")
        let weights = try SafeTensorsFile(path: dense.path).allTensors()
        try SafeTensors.write(weights.mapValues { Tensor($0.scalars.map { $0 + 1 }, shape: $0.shape) }, to: dense.path)
        expectLoadError(folder, ["2_Dense/model.safetensors", "other than the model's pooler"])
    }

    /// A folder written by sentence-transformers names modes its way: "cls" is the raw [CLS] state.
    @Test func sentenceTransformersPoolingNames() throws {
        let (folder, _) = try Self.savedTinyFolder()
        let url = folder.appendingPathComponent("1_Pooling/config.json")
        for (name, mode) in [("cls", PoolingMode.clsBeforePooler), ("mean", .mean), ("max", .max)] {
            try JSONSerialization.data(withJSONObject: ["word_embedding_dimension": 64, "pooling_mode": name]).write(to: url)
            #expect(try SentenceEncoder(directory: folder).pooling.mode == mode)
        }
        try JSONSerialization.data(withJSONObject: ["pooling_mode": "lasttoken"]).write(to: url)
        expectLoadError(folder, ["1_Pooling/config.json", "pooling_mode 'lasttoken' is not supported"])
    }

    @Test func configWithWrongTypes() throws {
        let (folder, _) = try Self.savedTinyFolder()
        try rewriteConfig(folder) { $0["hidden_size"] = "128" }
        expectLoadError(folder, ["config.json", "hidden_size", "should be an integer", "a string"])
        try rewriteConfig(folder) { $0["hidden_size"] = 128; $0["num_hidden_layers"] = true }
        expectLoadError(folder, ["config.json", "num_hidden_layers", "a boolean"])
    }

    /// Values that pass a Double check but break in single precision (found by fuzzing the reader).
    @Test func valuesOutOfRangeInSinglePrecision() throws {
        let (folder, _) = try Self.savedTinyFolder()
        try rewriteConfig(folder) { $0["hidden_dropout_prob"] = 0.99999999999 }
        expectLoadError(folder, ["config.json", "hidden_dropout_prob", "[0, 1)"])
        try rewriteConfig(folder) { $0["hidden_dropout_prob"] = 0.1; $0["layer_norm_eps"] = 1e300 }
        expectLoadError(folder, ["config.json", "layer_norm_eps"])
        try rewriteConfig(folder) { $0["layer_norm_eps"] = 1e-12; $0["type_vocab_size"] = 0 }
        expectLoadError(folder, ["config.json", "type_vocab_size"])
        try rewriteConfig(folder) { $0["type_vocab_size"] = 2; $0["pad_token_id"] = 99_999 }
        expectLoadError(folder, ["config.json", "pad_token_id"])
    }

    @Test func unsupportedModelType() throws {
        let (folder, _) = try Self.savedTinyFolder()
        try rewriteConfig(folder) { $0["model_type"] = "gpt2" }
        expectLoadError(folder, ["config.json", "unsupported model_type 'gpt2'"])
    }

    @Test func configThatIsNotJSON() throws {
        let (folder, _) = try Self.savedTinyFolder()
        try Data("{ not json".utf8).write(to: folder.appendingPathComponent("config.json"))
        expectLoadError(folder, ["config.json", "not valid JSON"])
    }

    @Test func missingVocabulary() throws {
        let (folder, _) = try Self.savedTinyFolder()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("vocab.txt"))
        expectLoadError(folder, ["vocab.txt"])
    }

    @Test func weightsThatDoNotMatchTheConfiguration() throws {
        let (folder, _) = try Self.savedTinyFolder()
        try rewriteConfig(folder) { $0["intermediate_size"] = 256 }
        expectLoadError(folder, ["model.safetensors", "intermediate.dense.weight"])
        try rewriteConfig(folder) { $0["intermediate_size"] = 512; $0["num_hidden_layers"] = 3 }
        expectLoadError(folder, ["model.safetensors", "encoder.layer.2"])
    }

    @Test func truncatedWeights() throws {
        let (folder, _) = try Self.savedTinyFolder()
        let url = folder.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        expectLoadError(folder, ["model.safetensors"])
    }
}
