import Foundation
import NeuralNetworks
import Tensors

/// The weights of a Hugging Face model folder: `model.safetensors`, or the shards that
/// `model.safetensors.index.json` maps each tensor to (transformers splits large models so).
/// A folder with only PyTorch's pickle files (`pytorch_model.bin`) is refused with a line that
/// says how to convert it: unpickling can run code, and this library does not do it.
struct CheckpointWeights {
    /// The file that errors about these weights name: the single file, or the index.
    let file: URL
    /// The open file holding each tensor.
    private let owner: [String: SafeTensorsFile]

    /// Opens the weights of `directory`.
    /// - Throws: ``ModelFileError`` naming the file at fault (a missing or bad shard, an index that
    ///   is not a `weight_map`, a tensor the index places in a shard that lacks it).
    init(directory: URL) throws {
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        let fm = FileManager.default
        if fm.fileExists(atPath: single.path) || !fm.fileExists(atPath: index.path) {
            if !fm.fileExists(atPath: single.path) {
                if let pickle = ["pytorch_model.bin", "pytorch_model.bin.index.json"].first(where: { fm.fileExists(atPath: directory.appendingPathComponent($0).path) }) {
                    throw ModelFileError(directory.appendingPathComponent(pickle), "is PyTorch's pickle format, which is not read (loading it can run code): "
                                         + "save the model as model.safetensors (transformers: from_pretrained, then save_pretrained)")
                }
                throw ModelFileError(single, "is missing")
            }
            let weights = try SafeTensorsFile(path: single.path)
            file = single
            owner = Dictionary(uniqueKeysWithValues: weights.names.map { ($0, weights) })
            return
        }
        let fields = JSONObjectFile.Fields(object: try JSONObjectFile.read(index), file: index)
        guard let map = try fields.nested("weight_map"), !map.object.isEmpty else {
            throw ModelFileError(index, "has no weight_map of tensor names to shard files")
        }
        var shards: [String: SafeTensorsFile] = [:], owner: [String: SafeTensorsFile] = [:]
        for name in map.object.keys.sorted() {
            let shardName: String = try map.required(name)
            // A shard is a file beside the index, never a path elsewhere.
            guard !shardName.contains("/"), shardName != "..", shardName != "." else {
                throw ModelFileError(index, "weight_map names '\(shardName)' for \(name), not a file beside the index")
            }
            if shards[shardName] == nil {
                let shard = directory.appendingPathComponent(shardName)
                guard fm.fileExists(atPath: shard.path) else { throw ModelFileError(shard, "is missing (model.safetensors.index.json lists it)") }
                shards[shardName] = try SafeTensorsFile(path: shard.path)
            }
            let shard = shards[shardName]!
            guard shard.header.entries[name] != nil else {
                throw ModelFileError(URL(fileURLWithPath: shard.path), "lacks \(name), which model.safetensors.index.json places in it")
            }
            owner[name] = shard
        }
        file = index
        self.owner = owner
    }

    /// The tensor names, sorted.
    var names: [String] { owner.keys.sorted() }

    /// The tensor called `name`, converted to `Float`.
    func tensor(named name: String) throws -> Tensor {
        guard let shard = owner[name] else { throw ModelFileError(file, "holds no tensor \(name)") }
        return try shard.tensor(named: name)
    }

    /// Every tensor by name (a state dict).
    func allTensors() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names { result[name] = try tensor(named: name) }
        return result
    }
}
