import Foundation
import NeuralNetworks
import Tensors
import Text

/// Loading from and saving to model folders: Hugging Face (`config.json`, `model.safetensors`,
/// `vocab.txt` or `tokenizer.json`) with the sentence-transformers files beside them
/// (`modules.json`, `1_Pooling/config.json`, `sentence_bert_config.json`).
extension SentenceEncoder {
    /// The files a loaded folder's pooling and length settings come from, parsed.
    struct FolderSettings {
        var pooling: Pooling
        var maxLength: Int
        /// The folder of the Dense module read as the pooler, when modules.json has one.
        var denseFolder: String?
    }

    /// Loads a model folder. `pooling` overrides the folder's own pooling mode.
    ///
    /// Every problem throws an error whose description is one line naming the file at fault.
    public convenience init(directory: URL, pooling mode: PoolingMode? = nil, dropoutSeed: UInt64 = 0) throws {
        try ModelFolderKind.require(.sentenceEncoder, in: directory)
        let model = try TextEncoderFamilies.load(directory, source: RandomSource(seed: dropoutSeed))
        let tokenizer = try TokenizerFolder.load(directory)
        guard tokenizer.vocabularySize <= model.vocabularySize else {
            let file = ["tokenizer.json", "vocab.txt"].first { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }!
            throw ModelFileError(directory.appendingPathComponent(file),
                                 "holds \(tokenizer.vocabularySize) tokens, more than the model's vocab_size \(model.vocabularySize)")
        }
        var settings = try Self.readSettings(directory)
        if let mode { settings.pooling.mode = mode }
        if settings.pooling.mode == .cls && model.pooler == nil {
            throw ModelFileError(directory.appendingPathComponent("model.safetensors"), "has no pooler weights, which pooling cls needs (use cls_before_pooler)")
        }
        if let dense = settings.denseFolder, mode == nil, let pooler = model.pooler {
            try Self.requirePoolerWeights(pooler, in: directory.appendingPathComponent(dense).appendingPathComponent("model.safetensors"))
        }
        self.init(tokenizer: tokenizer, model: model, pooling: settings.pooling, maxLength: Swift.min(settings.maxLength, model.maxTokens))
    }

    /// A Dense module read as the pooler must hold the pooler's weights (as the folders this
    /// library saves do); one trained on its own would be silently replaced.
    static func requirePoolerWeights(_ pooler: Linear, in file: URL) throws {
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let dense = try SafeTensorsFile(path: file.path)
        let weight = try dense.tensor(named: "linear.weight"), bias = try? dense.tensor(named: "linear.bias")
        guard weight.scalars == pooler.weight.scalars, bias.map({ $0.scalars == pooler.bias?.scalars }) ?? true else {
            throw ModelFileError(file, "holds a Dense layer other than the model's pooler, which is not supported (only the pooler after cls pooling)")
        }
    }

    static func readSettings(_ directory: URL) throws(ModelFileError) -> FolderSettings {
        // Without a length in the folder, the model's own limit (its positions), as sentence-transformers.
        var settings = FolderSettings(pooling: Pooling(mode: .mean), maxLength: .max)
        let poolingURL = directory.appendingPathComponent("1_Pooling/config.json")
        if FileManager.default.fileExists(atPath: poolingURL.path) {
            let fields = JSONObjectFile.Fields(object: try JSONObjectFile.read(poolingURL), file: poolingURL)
            if let named: String = try fields.optional("pooling_mode") {
                // sentence-transformers' names: its "cls" is the raw [CLS] state, and our cls (through
                // the pooler) is its "cls" followed by a Dense module (found in modules.json below).
                let modes: [String: PoolingMode] = ["cls": .clsBeforePooler, "mean": .mean, "max": .max]
                guard let mode = modes[named] ?? PoolingMode(rawValue: named), mode != .cls else {
                    throw ModelFileError(poolingURL, "pooling_mode '\(named)' is not supported (cls, mean, max, avg_first_last or avg_top2)")
                }
                settings.pooling.mode = mode
            } else if try fields.optional("pooling_mode_cls_token") == true {
                settings.pooling.mode = .clsBeforePooler
            } else if try fields.optional("pooling_mode_max_tokens") == true {
                settings.pooling.mode = .max
            } else if try fields.optional("pooling_mode_mean_tokens") == true {
                settings.pooling.mode = .mean
            } else {
                throw ModelFileError(poolingURL, "selects no supported pooling (cls, mean or max tokens)")
            }
        }
        let modulesURL = directory.appendingPathComponent("modules.json")
        if FileManager.default.fileExists(atPath: modulesURL.path) {
            guard let data = try? Data(contentsOf: modulesURL), let modules = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
                throw ModelFileError(modulesURL, "is not a JSON array of module objects")
            }
            // Modules past the encoder and its pooling would change the embeddings: each is either
            // one this library applies or refused, never skipped.
            for module in modules {
                let type = module["type"] as? String ?? "", path = module["path"] as? String ?? ""
                switch type.split(separator: ".").last.map(String.init) {
                case "Transformer", "Pooling": break
                case "Normalize": settings.pooling.normalize = true
                // Our cls pooling (the pooler's dense layer and tanh) is saved as this Dense module.
                case "Dense" where settings.pooling.mode == .clsBeforePooler: settings.pooling.mode = .cls; settings.denseFolder = path
                default:
                    throw ModelFileError(modulesURL, "module '\(type)' (\(path.isEmpty ? "no path" : path)) is not supported: this library applies Transformer, Pooling, Normalize, and a Dense module only as the pooler after cls pooling")
                }
            }
        }
        let sbertURL = directory.appendingPathComponent("sentence_bert_config.json")
        if FileManager.default.fileExists(atPath: sbertURL.path) {
            let fields = JSONObjectFile.Fields(object: try JSONObjectFile.read(sbertURL), file: sbertURL)
            if let length: Int = try fields.optional("max_seq_length") {
                guard length >= 2 else { throw ModelFileError(sbertURL, "max_seq_length \(length) is below 2") }
                settings.maxLength = length
                return settings
            }
        }
        // Without a sentence-transformers length, the tokenizer's (as sentence-transformers and
        // transformers' truncation take it): a folder made for 128 tokens must not read 512. Tokenizers
        // without a limit store a huge placeholder (1e30), which leaves the model's.
        let tokenizerURL = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: tokenizerURL.path) {
            let fields = JSONObjectFile.Fields(object: try JSONObjectFile.read(tokenizerURL), file: tokenizerURL)
            if let length: Double = try fields.optional("model_max_length"), length < Double(Int32.max) {
                guard length >= 2 else { throw ModelFileError(tokenizerURL, "model_max_length \(length) is below 2") }
                settings.maxLength = Int(length)
            }
        }
        return settings
    }

    /// Writes a folder that this library, Hugging Face `transformers` (`BertModel`, `BertTokenizer`)
    /// and `sentence-transformers` (`SentenceTransformer(path)`) all load with the same embeddings.
    public func save(to directory: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        func write(_ object: Any, _ name: String) throws {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: directory.appendingPathComponent(name), options: .atomic)
        }
        try write(model.configurationJSON, "config.json")
        try SafeTensors.write(model.stateDict(), metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors").path)
        try tokenizer.save(to: directory, maxLength: maxLength)
        let mode = pooling.mode
        // sentence-transformers knows cls (the raw [CLS] state), mean and max; our cls adds the
        // pooler, exported as its Dense module with tanh (the pooler's own weights, which the BERT
        // weights also keep). The layer averages have no counterpart there: their folders keep our
        // name, which sentence-transformers refuses rather than misreads.
        let sentenceTransformersMode: [PoolingMode: String] = [.cls: "cls", .clsBeforePooler: "cls", .mean: "mean", .max: "max"]
        try write([
            "word_embedding_dimension": model.hiddenSize, "pooling_mode": sentenceTransformersMode[mode] ?? mode.rawValue,
            "pooling_mode_cls_token": mode == .clsBeforePooler || mode == .cls, "pooling_mode_mean_tokens": mode == .mean,
            "pooling_mode_max_tokens": mode == .max, "pooling_mode_mean_sqrt_len_tokens": false,
        ], "1_Pooling/config.json")
        var modules: [[String: Any]] = [
            ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
            ["idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"],
        ]
        func appendModule(_ folder: String, _ type: String) throws {
            let path = "\(modules.count)_\(folder)"
            try fm.createDirectory(at: directory.appendingPathComponent(path), withIntermediateDirectories: true)
            modules.append(["idx": modules.count, "name": "\(modules.count)", "path": path, "type": "sentence_transformers.models.\(type)"])
        }
        if mode == .cls, let pooler = model.pooler {
            try appendModule("Dense", "Dense")
            let folder = modules.last!["path"] as! String
            let hidden = model.hiddenSize
            try write(["in_features": hidden, "out_features": hidden, "bias": true, "activation_function": "torch.nn.modules.activation.Tanh"],
                      "\(folder)/config.json")
            try SafeTensors.write(["linear.weight": pooler.weight, "linear.bias": pooler.bias!], metadata: ["format": "pt"],
                                  to: directory.appendingPathComponent("\(folder)/model.safetensors").path)
        }
        if pooling.normalize { try appendModule("Normalize", "Normalize") }
        try write(modules, "modules.json")
        try write(["max_seq_length": maxLength, "do_lower_case": false], "sentence_bert_config.json")
        try write(["__version__": ["sentence_transformers": "2.2.2"], "prompts": [String: String](), "similarity_fn_name": "cosine"],
                  "config_sentence_transformers.json")
    }
}
