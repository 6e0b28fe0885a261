import Foundation
import NeuralNetworks
import Tensors
import Text

extension ALBEF {
    /// What `image_text_config.json` of a saved ALBEF folder holds.
    struct FolderConfiguration: Codable {
        var method: String
        var albef: ALBEFConfiguration
    }

    /// Saves `image_text_config.json` (`"method": "albef"` and the shape) and `model.safetensors` (the online
    /// weights; the momentum copies and queues are training state only). The tokenizer is the
    /// bundled uncased vocabulary, which `load` reads again.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(FolderConfiguration(method: Self.method, albef: configuration))
            .write(to: directory.appendingPathComponent(ImageTextModelFolder.configurationFile))
        try SafeTensors.write(stateDict(), metadata: ["format": "pt", "method": Self.method],
                                    to: directory.appendingPathComponent("model.safetensors").path)
    }

    /// Loads a folder written by ``save(to:)``; errors name the file at fault.
    public static func load(from directory: URL) throws -> ALBEF {
        let file = directory.appendingPathComponent(ImageTextModelFolder.configurationFile)
        let configuration: ALBEFConfiguration
        do {
            let folder = try JSONDecoder().decode(FolderConfiguration.self, from: Data(contentsOf: file))
            guard folder.method == method else { throw ModelFileError(file, "method '\(folder.method)' is not '\(method)'") }
            configuration = folder.albef
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError(file, "not an ALBEF configuration (\(error.localizedDescription))")
        }
        try configuration.validate(file: file)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: SentenceEncoder.bundledVocabulary)
        guard tokenizer.vocabularySize == configuration.vocabularySize else {
            throw ModelFileError(file, "vocabulary size \(configuration.vocabularySize) differs from the bundled vocabulary's \(tokenizer.vocabularySize)")
        }
        let model = ALBEF(configuration, tokenizer: tokenizer, seed: 0)
        let weights = directory.appendingPathComponent("model.safetensors")
        do {
            try model.load(stateDict: SafeTensorsFile(path: weights.path).allTensors())
        } catch {
            throw ModelFileError(weights, "\(error)")
        }
        model.eval()
        return model
    }
}
