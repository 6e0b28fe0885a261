import Foundation
import Objectives
import Tensors
import Text
import Vision

/// An image-text model with a shared embedding space (ALIGN, VLMo, ALBEF, a Hugging Face CLIP
/// folder as ``CLIPImageTextModel``): what zero-shot classification and cross-modal retrieval
/// need, whatever the method.
///
/// ```swift
/// let model = try ImageTextModelFolder.load(URL(fileURLWithPath: "runs/align"))
/// let images = model.encodeImages(test.images)   // [n, d], rows L2-normalised
/// let texts = model.encodeTexts(["a photo of a sneaker"])
/// let scores = images.matmul(texts.transposed())
/// ```
public protocol ImageTextModel: AnyObject {
    /// The method name written as `method` in the folder's `image_text_config.json` (`clip` for
    /// CLIP, whose folders are Hugging Face's).
    static var method: String { get }

    /// `[images.count, d]` L2-normalised embeddings, in evaluation mode without gradients.
    func encodeImages(_ images: [Image]) -> Tensor

    /// `[texts.count, d]` L2-normalised embeddings, in evaluation mode without gradients.
    func encodeTexts(_ texts: [String]) -> Tensor

    /// Image-text matching scores from a fusion encoder (ITM), `[texts.count, images.count]`,
    /// higher = better match, for re-ranking retrieval candidates; `nil` when the model has no
    /// fusion encoder (dual encoders such as ALIGN).
    func matchScores(texts: [String], images: [Image]) -> Tensor?

    /// What may be done to images ahead of ``encodeImages(_:)`` without changing their
    /// embeddings, so that a data set of large photos is held at the model's scale (CLIP: its
    /// preprocessing's resize); `nil` (the default) for the models that take images at their
    /// training size.
    var imagePreparation: ((Image) -> Image)? { get }

    /// Writes the model folder: `image_text_config.json` (with `method`) and its weights, or for
    /// CLIP a Hugging Face folder.
    func save(to directory: URL) throws

    /// Reads a folder written by `save(to:)` (its `method` already checked by `ImageTextModelFolder`).
    static func load(from directory: URL) throws -> Self
}

extension ImageTextModel {
    public func matchScores(texts: [String], images: [Image]) -> Tensor? { nil }
    public var imagePreparation: ((Image) -> Image)? { nil }
}

/// Loads an image-text model folder by the `method` field of its `image_text_config.json`.
public enum ImageTextModelFolder {
    /// The configuration file every image-text model folder has.
    public static let configurationFile = "image_text_config.json"

    /// The model types `load(_:)` knows, by method name.
    public static var methods: [String: any ImageTextModel.Type] {
        Dictionary(uniqueKeysWithValues: registered.map { ($0.method, $0) })
    }

    /// Loads the model in `directory`: by the `method` of its `image_text_config.json`, or a
    /// Hugging Face CLIP folder (`config.json` with `model_type` `clip`, no such file) as a
    /// ``CLIPImageTextModel``. Errors name the file and the problem.
    public static func load(_ directory: URL) throws -> any ImageTextModel {
        try ModelFolderKind.require(.imageText, in: directory)
        let file = directory.appendingPathComponent(configurationFile)
        // The folder kind ensured config.json is there when this file is not.
        guard FileManager.default.fileExists(atPath: file.path) else { return try CLIPImageTextModel(directory: directory) }
        let method = try readMethod(file)
        guard let type = methods[method] else {
            throw ModelFileError(file, "unknown method '\(method)' (known: \(methods.keys.sorted().joined(separator: ", ")))")
        }
        return try type.load(from: directory)
    }

    /// The `method` field of `file`.
    static func readMethod(_ file: URL) throws(ModelFileError) -> String {
        struct Header: Decodable { var method: String }
        guard let data = try? Data(contentsOf: file) else { throw ModelFileError(file, "cannot be read") }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw ModelFileError(file, "is not a JSON object with a string field 'method'")
        }
        return header.method
    }
}

/// ALIGN and VLMo: image and caption embeddings in one space, compared at a learned temperature.
public protocol DualEncoderModel: ImageTextModel {
    var configuration: ImageTextConfiguration { get }
    var tokenizer: WordPieceTokenizer { get }
    /// `log(1 / temperature)`, learned.
    var logitScale: Tensor { get }
}

extension DualEncoderModel {
    /// The contrastive loss: InfoNCE at the learned temperature over in-batch negatives; its
    /// `symmetric` form averages both directions (image to text, text to image).
    public var contrast: InfoNCELoss { InfoNCELoss(temperature: .learnableLogScale(logitScale)) }

    /// Captions tokenized and padded to the longest.
    public func tokens(_ texts: [String]) -> TokenBatch {
        TokenBatch(tokenizer.encodeBatch(texts, maxLength: configuration.maxLength))
    }
}
