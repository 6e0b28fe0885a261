import Foundation
@testable import Models
import NeuralNetworks
import TestSupport
import Testing

/// Weights split into shards with `model.safetensors.index.json` (as transformers saves large
/// models) load like the single file; a bad index or shard, and a folder holding only PyTorch's
/// pickle, are refused with one line naming the file.
@Suite struct CheckpointWeightsTests {
    /// The RoBERTa reference folder with its weights split over two shards and an index; `edit`
    /// may change the index's weight_map before it is written.
    func shardedFolder(edit: (inout [String: String]) -> Void = { _ in }) throws -> (folder: URL, reference: URL) {
        let reference = try TestPaths.fixture("families/roberta")
        let folder = try TestPaths.temporaryDirectory()
        for name in ["config.json", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: reference.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let tensors = try SafeTensorsFile(path: reference.appendingPathComponent("model.safetensors").path).allTensors()
        let names = tensors.keys.sorted()
        var map: [String: String] = [:]
        for (part, slice) in [names[..<(names.count / 2)], names[(names.count / 2)...]].enumerated() {
            let shard = "model-0000\(part + 1)-of-00002.safetensors"
            try SafeTensors.write(tensors.filter { slice.contains($0.key) }, to: folder.appendingPathComponent(shard).path)
            for name in slice { map[name] = shard }
        }
        edit(&map)
        let index = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": map])
        try index.write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        return (folder, reference)
    }

    @Test func shardsLoadLikeTheSingleFile() throws {
        let (folder, reference) = try shardedFolder()
        let texts = ["a sharded checkpoint", "the same embeddings as one file"]
        let sharded = try SentenceEncoder(directory: folder).encode(texts)
        let single = try SentenceEncoder(directory: reference).encode(texts)
        #expect(sharded.shape == single.shape && sharded.scalars == single.scalars)
    }

    @Test func aBadIndexOrShardIsNamed() throws {
        func refusal(_ edit: (inout [String: String]) -> Void) throws -> String {
            let (folder, _) = try shardedFolder(edit: edit)
            do { _ = try SentenceEncoder(directory: folder) } catch { return "\(error)" }
            Issue.record("a bad index loaded")
            return ""
        }
        let missing = try refusal { map in map[map.keys.sorted()[0]] = "model-00009-of-00009.safetensors" }
        #expect(missing.contains("model-00009-of-00009.safetensors") && missing.contains("is missing"))
        let misplaced = try refusal { map in
            let first = map.keys.sorted()[0]
            map[first] = map[first] == "model-00001-of-00002.safetensors" ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors"
        }
        #expect(misplaced.contains("lacks") && misplaced.contains("model.safetensors.index.json"))
        let outside = try refusal { map in map[map.keys.sorted()[0]] = "../elsewhere.safetensors" }
        #expect(outside.contains("model.safetensors.index.json") && outside.contains("not a file beside the index"))
        let incomplete = try refusal { map in map.removeValue(forKey: map.keys.sorted()[0]) }
        #expect(incomplete.contains("model.safetensors.index.json") && incomplete.contains("does not match config.json"))
    }

    @Test func aPickleOnlyFolderSaysHowToConvert() throws {
        let reference = try TestPaths.fixture("families/roberta")
        let folder = try TestPaths.temporaryDirectory()
        for name in ["config.json", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: reference.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Data("not read".utf8).write(to: folder.appendingPathComponent("pytorch_model.bin"))
        #expect { _ = try SentenceEncoder(directory: folder) } throws: {
            "\($0)".contains("pytorch_model.bin") && "\($0)".contains("pickle") && "\($0)".contains("model.safetensors")
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("pytorch_model.bin"))
        #expect { _ = try SentenceEncoder(directory: folder) } throws: { "\($0)".contains("model.safetensors") && "\($0)".contains("is missing") }
    }
}
