import Foundation
import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing
import Text
import Vision

/// The reference CLIP folder as an image-text model: the loader, its embeddings against
/// `CLIPModel`'s and transformers', and the folders it saves.
@Suite struct CLIPImageTextModelTests {
    static func folder() throws -> URL { try CLIPParityTests.folder() }

    /// The reference texts, one per line (trailing spaces kept).
    static func texts() throws -> [String] {
        try String(contentsOf: folder().appendingPathComponent("texts.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Five images of other sizes than the model's (landscape, portrait, small, grayscale, 2:1).
    static func images() -> [Image] {
        [(3, 45, 61), (3, 70, 33), (3, 20, 25), (1, 40, 40), (3, 64, 32)].enumerated().map { index, shape in
            let (channels, height, width) = shape
            let count = channels * height * width
            return Image(channels: channels, height: height, width: width,
                         pixels: (0..<count).map { Float(($0 * 37 + index * 11) % 256) / 255 })
        }
    }

    /// A copy of the reference folder, its files but `skipping`, to edit.
    static func copy(skipping: Set<String> = []) throws -> URL {
        let copy = try TestPaths.temporaryDirectory().appendingPathComponent("clip")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json"] where !skipping.contains(name) {
            try FileManager.default.copyItem(at: folder().appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        return copy
    }

    @Test func folderLoadsWithTransformersTokensAndEmbeddings() throws {
        let (expected, _, _) = try CLIPParityTests.reference()
        let loaded = try ImageTextModelFolder.load(Self.folder())
        let clip = try #require(loaded as? CLIPImageTextModel)
        #expect(type(of: loaded).method == "clip" && clip.maxLength == 77)
        let texts = try Self.texts()
        // transformers padded to 77; ours to the longest: the unpadded ids agree.
        let tokens = clip.tokens(texts)
        for (row, ids) in expected.input_ids.enumerated() {
            let length = expected.attention_mask[row].reduce(0, +)
            #expect(Array(tokens.ids[(row * tokens.tokens)..<(row * tokens.tokens + length)]) == Array(ids.prefix(length)), "text \(row)")
        }
        let (worst, scale) = CLIPParityTests.difference(clip.encodeTexts(texts), expected.text_embeds)
        #expect(worst <= 1e-4 * scale, "text_embeds: largest difference \(worst)")
    }

    /// The image-text view adds the folder's processing and nothing else: its embeddings are
    /// `CLIPModel`'s features of the preprocessed pixels and of the tokens, normalised.
    @Test func embeddingsAreTheModelsNormalisedFeatures() throws {
        let clip = try CLIPImageTextModel(directory: Self.folder())
        let model = try CLIPModel(directory: Self.folder())
        model.eval()
        let images = Self.images(), texts = try Self.texts()
        let (imageFeatures, textFeatures) = withoutGradient {
            (model.imageFeatures(clip.preprocessing(images)).l2Normalized(), model.textFeatures(clip.tokens(texts)).l2Normalized())
        }
        #expect(clip.encodeImages(images).scalars == imageFeatures.scalars && clip.encodeImages(images).shape == [5, 16])
        #expect(clip.encodeTexts(texts).scalars == textFeatures.scalars)
        #expect(clip.matchScores(texts: ["a"], images: [images[0]]) == nil)
    }

    /// Captions longer than the 77 positions are cut, keeping the end-of-text token last.
    @Test func longCaptionsAreTruncatedKeepingTheEndOfText() throws {
        let clip = try CLIPImageTextModel(directory: Self.folder())
        let long = Array(repeating: "the quick brown fox jumps over the lazy dog", count: 20).joined(separator: " ")
        let tokens = clip.tokens([long, "a cat"])
        #expect(tokens.tokens == 77 && tokens.ids[76] == 49_407 && tokens.ids[0] == 49_406)
        #expect(clip.encodeTexts([long]).shape == [1, 16])
        clip.maxLength = 8
        #expect(clip.tokens([long]).tokens == 8)
    }

    @Test func savedFolderLoadsBackInBothLoaders() throws {
        let clip = try CLIPImageTextModel(directory: Self.folder())
        let saved = try TestPaths.temporaryDirectory().appendingPathComponent("saved")
        try clip.save(to: saved)
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: saved.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["model_type"] as? String == "clip" && config["architectures"] as? [String] == ["CLIPModel"])
        let tokenizerConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: saved.appendingPathComponent("tokenizer_config.json"))) as? [String: Any]
        #expect(tokenizerConfig?["model_max_length"] as? Int == 77 && tokenizerConfig?["tokenizer_class"] as? String == "CLIPTokenizer")
        for name in ["tokenizer.json", "preprocessor_config.json"] {
            #expect(try Data(contentsOf: saved.appendingPathComponent(name)) == Data(contentsOf: Self.folder().appendingPathComponent(name)), "\(name)")
        }
        let images = Self.images(), texts = try Self.texts()
        let reloaded = try ImageTextModelFolder.load(saved)
        #expect(reloaded.encodeImages(images).scalars == clip.encodeImages(images).scalars)
        #expect(reloaded.encodeTexts(texts).scalars == clip.encodeTexts(texts).scalars)
        #expect(try CLIPModel(directory: saved).stateDict().mapValues(\.scalars) == clip.model.stateDict().mapValues(\.scalars))
    }

    /// A model that did not come from a folder with a `preprocessor_config.json` writes one from
    /// its settings, which reads back equal.
    @Test func preprocessorConfigurationIsWrittenFromTheSettings() throws {
        let model = try CLIPModel(directory: Self.folder())
        let tokenizer = try PipelineTokenizer(directory: Self.folder())
        let settings: [CLIPImagePreprocessing] = [
            CLIPImagePreprocessing(imageSize: 32),
            CLIPImagePreprocessing(convertsToRGB: false, resize: .exact(.init(height: 32, width: 32)), centerCrop: nil, rescaleFactor: nil,
                                   normalization: ChannelNormalization(mean: [0.5, 0.25, 0.125], std: [0.5, 1, 2])),
            CLIPImagePreprocessing(resize: nil, centerCrop: .init(height: 32, width: 32), rescaleFactor: 0.5, normalization: nil),
        ]
        for preprocessing in settings {
            let saved = try TestPaths.temporaryDirectory()
            try CLIPImageTextModel(model: model, tokenizer: tokenizer, preprocessing: preprocessing).save(to: saved)
            #expect(try CLIPImagePreprocessing(contentsOf: saved.appendingPathComponent("preprocessor_config.json")) == preprocessing)
            #expect(try CLIPImageTextModel(directory: saved).preprocessing == preprocessing)
        }
    }

    /// Without `preprocessor_config.json` a folder takes CLIP's defaults at the vision tower's
    /// size; a file that makes images of another size is refused, naming it.
    @Test func preprocessingMustMakeTheModelsImageSize() throws {
        let bare = try Self.copy(skipping: ["preprocessor_config.json"])
        #expect(try CLIPImageTextModel(directory: bare).preprocessing == CLIPImagePreprocessing(imageSize: 32))
        let file = bare.appendingPathComponent("preprocessor_config.json")
        for (json, made) in [(#"{"size": {"shortest_edge": 32}, "crop_size": {"height": 24, "width": 24}}"#, "makes 24x24 images"),
                             (#"{"do_center_crop": false}"#, "makes images of no one size")] {
            try json.write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: ModelFileError.self) { try CLIPImageTextModel(directory: bare) }
            #expect(error?.file == file.path && error?.problem.contains(made) == true && error?.problem.contains("32x32") == true, "\(String(describing: error))")
        }
        let noTokenizer = try Self.copy(skipping: ["tokenizer.json"])
        #expect(throws: TextFileError.self) { try ImageTextModelFolder.load(noTokenizer) }
    }

    /// `resized` is what a data set of photos can be held as: the preprocessing makes of it what
    /// it makes of the original, bit for bit, also when the resize is larger than the crop.
    @Test func resizedImagesPreprocessAsTheOriginals() {
        let settings = [CLIPImagePreprocessing(imageSize: 32),
                        CLIPImagePreprocessing(resize: .shortestEdge(40), centerCrop: .init(height: 32, width: 32)),
                        CLIPImagePreprocessing(resize: .exact(.init(height: 20, width: 30)), centerCrop: nil)]
        for preprocessing in settings {
            for image in Self.images() {
                #expect(preprocessing.process(preprocessing.resized(image)) == preprocessing.process(image), "\(preprocessing.resize!)")
            }
        }
    }
}
