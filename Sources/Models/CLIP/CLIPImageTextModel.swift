import Foundation
import NeuralNetworks
import Tensors
import Text
import Vision

/// A Hugging Face CLIP folder as an ``ImageTextModel``: ``CLIPModel`` with the folder's tokenizer
/// and image preprocessing, as transformers' `CLIPModel` and `CLIPProcessor` load them. This is
/// what `contrast encode`, `eval zeroshot`, `eval retrieval` and `train align --model` use;
/// ``ImageTextModelFolder/load(_:)`` returns one for a folder whose `config.json` says `clip`.
///
/// ```swift
/// let clip = try CLIPImageTextModel(directory: URL(fileURLWithPath: "models/clip-vit-base-patch32"))
/// let images = clip.encodeImages(photos)                   // [n, 512], rows L2-normalised
/// let texts = clip.encodeTexts(["a photo of a cat", "a photo of a dog"])
/// let scores = images.matmul(texts, transposeOther: true)
/// ```
public final class CLIPImageTextModel: ImageTextModel {
    /// The name commands report CLIP folders by (they have no `image_text_config.json`).
    public static let method = "clip"
    public let model: CLIPModel
    public let tokenizer: PipelineTokenizer
    public let preprocessing: CLIPImagePreprocessing
    /// The longest caption in tokens, start and end of text included: the text tower's positions
    /// (77 in OpenAI's checkpoints) unless lowered. Longer captions are cut, keeping the end of
    /// text, as `CLIPProcessor(truncation=True)` cuts them.
    public var maxLength: Int
    /// The loaded folder's own `preprocessor_config.json`, which ``save(to:)`` writes back
    /// unchanged; `nil`: written from ``preprocessing``.
    private let preprocessorFile: Data?

    /// A model with this tokenizer and preprocessing (``save(to:)`` writes the preprocessing's
    /// settings as `preprocessor_config.json`).
    public convenience init(model: CLIPModel, tokenizer: PipelineTokenizer, preprocessing: CLIPImagePreprocessing) {
        self.init(model, tokenizer, preprocessing, preprocessorFile: nil)
    }

    private init(_ model: CLIPModel, _ tokenizer: PipelineTokenizer, _ preprocessing: CLIPImagePreprocessing, preprocessorFile: Data?) {
        self.model = model
        self.tokenizer = tokenizer
        self.preprocessing = preprocessing
        self.preprocessorFile = preprocessorFile
        maxLength = model.configuration.text.maxPositions
    }

    /// Loads a Hugging Face CLIP folder: `config.json` and `model.safetensors`
    /// (``CLIPModel/init(directory:dropoutSeed:)``), `tokenizer.json` with its
    /// `tokenizer_config.json`, and `preprocessor_config.json` (CLIP's defaults at the vision
    /// tower's image size when there is none), which must make images of that size.
    /// `dropoutSeed` seeds attention dropout, for training.
    ///
    /// Every problem throws an error whose description is one line naming the file at fault.
    public convenience init(directory: URL, dropoutSeed: UInt64 = 0) throws {
        try ModelFolderKind.require(.imageText, in: directory)
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(ImageTextModelFolder.configurationFile).path) {
            throw ModelFileError(directory, "holds a model trained by contrast (\(ImageTextModelFolder.configurationFile)), not a Hugging Face CLIP folder")
        }
        let model = try CLIPModel(directory: directory, dropoutSeed: dropoutSeed)
        let tokenizer = try PipelineTokenizer(directory: directory)
        guard tokenizer.vocabularySize <= model.configuration.text.vocabularySize else {
            throw ModelFileError(directory.appendingPathComponent("tokenizer.json"),
                                 "holds \(tokenizer.vocabularySize) tokens, more than the model's text_config.vocab_size \(model.configuration.text.vocabularySize)")
        }
        let side = model.configuration.vision.imageSize
        let preprocessing = try CLIPImagePreprocessing(directory: directory, imageSize: side)
        let file = directory.appendingPathComponent(CLIPImagePreprocessing.fileName)
        guard preprocessing.outputSize == .init(height: side, width: side) else {
            let made = preprocessing.outputSize.map { "\($0.height)x\($0.width) images" } ?? "images of no one size (no center crop)"
            throw ModelFileError(file, "makes \(made), the model takes \(side)x\(side) (vision_config.image_size in config.json)")
        }
        let original = FileManager.default.fileExists(atPath: file.path) ? try Data(contentsOf: file) : nil
        self.init(model, tokenizer, preprocessing, preprocessorFile: original)
    }

    public static func load(from directory: URL) throws -> CLIPImageTextModel { try CLIPImageTextModel(directory: directory) }

    /// Captions as token ids, truncated to ``maxLength`` and padded to the longest.
    public func tokens(_ texts: [String]) -> TokenBatch { TokenBatch(tokenizer.encodeBatch(texts, maxLength: maxLength)) }

    /// The folder's preprocessing, then the vision tower and its projection.
    public func encodeImages(_ images: [Image]) -> Tensor {
        ImageTextBatching.evaluate(model, images.count) { range in model.imageFeatures(preprocessing(Array(images[range]))).l2Normalized() }
    }

    /// The folder's tokenizer, then the text tower and its projection.
    public func encodeTexts(_ texts: [String]) -> Tensor {
        ImageTextBatching.evaluate(model, texts.count) { range in model.textFeatures(tokens(Array(texts[range]))).l2Normalized() }
    }

    /// RGB and the resize of ``preprocessing`` (``CLIPImagePreprocessing/resized(_:)``).
    public var imagePreparation: ((Image) -> Image)? { { [preprocessing] in preprocessing.resized($0) } }

    /// Writes the folder transformers' `CLIPModel` and `CLIPProcessor` load: `config.json`,
    /// `model.safetensors`, `tokenizer.json`, `tokenizer_config.json` (``maxLength`` as
    /// `model_max_length`) and `preprocessor_config.json` (the loaded folder's, else written from
    /// ``preprocessing``).
    public func save(to directory: URL) throws {
        try model.save(to: directory)
        try tokenizer.save(to: directory, maxLength: maxLength, className: "CLIPTokenizer")
        let preprocessor = try preprocessorFile ?? JSONSerialization.data(withJSONObject: preprocessing.jsonObject, options: [.prettyPrinted, .sortedKeys])
        try preprocessor.write(to: directory.appendingPathComponent(CLIPImagePreprocessing.fileName), options: .atomic)
    }
}
