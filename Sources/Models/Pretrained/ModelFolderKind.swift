import Foundation

/// The kinds of model folder this toolkit reads, told apart by their files, so that a folder
/// given to the wrong command is named for what it is rather than for the file it lacks.
public enum ModelFolderKind: String, Sendable {
    /// A text encoder (Hugging Face / sentence-transformers BERT folder): `contrast encode`,
    /// `eval sts`, `search`, and `train --model`.
    case sentenceEncoder = "a sentence encoder"
    /// An image encoder (SimCLR, MoCo): `eval linear-probe`.
    case imageEncoder = "an image encoder"
    /// An image-text model (ALIGN, VLMo, ALBEF, CLIP): `encode`, `eval retrieval`, `eval zeroshot`,
    /// and (CLIP) `train align --model`.
    case imageText = "an image-text model"

    /// What `directory` holds: `nil` when it cannot tell (a `config.json` that does not parse is
    /// left to the loader, which names the problem).
    /// - Throws: ``ModelFileError`` when it does not exist, is not a folder, or holds none of the
    ///   kinds' configuration files.
    public static func of(_ directory: URL) throws(ModelFileError) -> ModelFolderKind? {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isFolder) else { throw ModelFileError(directory, "no such folder") }
        guard isFolder.boolValue else { throw ModelFileError(directory, "not a folder (a model is a folder of files, e.g. config.json and model.safetensors)") }
        if fm.fileExists(atPath: directory.appendingPathComponent(ImageTextModelFolder.configurationFile).path) { return .imageText }
        let config = directory.appendingPathComponent("config.json")
        guard fm.fileExists(atPath: config.path) else {
            throw ModelFileError(directory, "not a model folder: config.json and \(ImageTextModelFolder.configurationFile) are missing")
        }
        guard let data = try? Data(contentsOf: config), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        // Image encoders name one `architecture`; Hugging Face configurations, `architectures` and
        // `model_type`, CLIP's being an image-text model.
        if object["architecture"] != nil { return .imageEncoder }
        return object["model_type"] as? String == "clip" ? .imageText : .sentenceEncoder
    }

    /// Checks that `directory` is a model folder of `kind`, naming what it is otherwise.
    public static func require(_ kind: ModelFolderKind, in directory: URL) throws(ModelFileError) {
        if let found = try of(directory), found != kind { throw ModelFileError(directory, "holds \(found.rawValue), not \(kind.rawValue)") }
    }
}
