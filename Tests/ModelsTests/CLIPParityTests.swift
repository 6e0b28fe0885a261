import Foundation
@testable import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing
import Vision

/// CLIP against transformers 5.25 (`Tests/Fixtures/families/clip`: the tiny reference
/// `CLIPModel`, what it computes for the 24 reference texts and four random pixel tensors, and
/// what `CLIPImageProcessorPil` makes of five images), and CLIP as a trainable module: its
/// gradients, a few optimizer steps, and the folders it saves.
@Suite struct CLIPParityTests {
    struct Expected: Decodable {
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let pixel_values: [[[[Float]]]]
        let text_features, image_features, text_embeds, image_embeds, logits_per_image: [[Float]]
    }

    static func folder() throws -> URL { try TestPaths.fixture("families/clip/config.json").deletingLastPathComponent() }

    static func reference() throws -> (expected: Expected, texts: TokenBatch, pixels: Tensor) {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: TestPaths.fixture("families/clip/expected_outputs.json")))
        let texts = TokenBatch(ids: expected.input_ids.flatMap { $0 }, attentionMask: expected.attention_mask.flatMap { $0 },
                               batch: expected.input_ids.count, tokens: expected.input_ids[0].count)
        let pixels = Tensor(expected.pixel_values.flatMap { $0.flatMap { $0.flatMap { $0 } } }, shape: [expected.pixel_values.count, 3, 32, 32])
        return (expected, texts, pixels)
    }

    /// The largest absolute difference from `expected`, and the largest absolute expected value.
    static func difference(_ actual: Tensor, _ expected: [[Float]]) -> (worst: Float, scale: Float) {
        let values = expected.flatMap { $0 }
        #expect(actual.shape == [expected.count, expected[0].count])
        return (zip(actual.scalars, values).map { abs($0 - $1) }.max()!, values.map(abs).max()!)
    }

    @Test func outputsMatchTransformers() throws {
        let (expected, texts, pixels) = try Self.reference()
        let clip = try CLIPModel(directory: Self.folder())
        clip.eval()
        let (textFeatures, imageFeatures, out) = withoutGradient { (clip.textFeatures(texts), clip.imageFeatures(pixels), clip(texts, pixels: pixels)) }
        let outputs = [("text_features", textFeatures, expected.text_features), ("image_features", imageFeatures, expected.image_features),
                       ("text_embeds", out.textEmbeds, expected.text_embeds), ("image_embeds", out.imageEmbeds, expected.image_embeds),
                       ("logits_per_image", out.logitsPerImage, expected.logits_per_image)]
        for (name, actual, reference) in outputs {
            let (worst, scale) = Self.difference(actual, reference)
            #expect(worst <= 1e-4 * scale, "\(name): largest difference \(worst) at scale \(scale)")
        }
        #expect(out.logitsPerText.scalars == out.logitsPerImage.transposed().scalars && out.logitsPerText.shape == [24, 4])
    }

    /// The reference configuration pools at the first end-of-text token (49407, also its padding);
    /// configurations that say `eos_token_id` 2 pool at each row's largest id.
    @Test func textsArePooledAtTheirEndOfTextToken() throws {
        let (expected, texts, _) = try Self.reference()
        let clip = try CLIPModel(directory: Self.folder())
        #expect(clip.textModel.pooledPositions(texts) == expected.attention_mask.map { $0.reduce(0, +) - 1 })
        var c = Self.tinyConfiguration().text
        var g = RandomGenerator(seed: 0)
        let ends = TokenBatch(ids: [38, 7, 39, 39, 39, /* no end of text */ 38, 7, 8, 9, 10], attentionMask: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1],
                              batch: 2, tokens: 5)
        #expect(CLIPTextTransformer(c, source: RandomSource(seed: 0), generator: &g).pooledPositions(ends) == [2, 0])
        c.eosTokenID = 2
        let largest = TokenBatch(ids: [38, 7, 2, 0, 0, /* ties: the first */ 1, 9, 4, 9, 0], attentionMask: [Int](repeating: 1, count: 10),
                                 batch: 2, tokens: 5)
        #expect(CLIPTextTransformer(c, source: RandomSource(seed: 0), generator: &g).pooledPositions(largest) == [0, 1])
    }

    // MARK: Configuration

    @Test func configurationReadsTheReferenceAndReadsBackWhatItWrites() throws {
        let c = try CLIPConfiguration(contentsOf: TestPaths.fixture("families/clip/config.json"))
        #expect(c.text.vocabularySize == 49_408 && c.text.hiddenSize == 32 && c.text.layers == 2 && c.text.heads == 4)
        #expect(c.text.intermediateSize == 64 && c.text.maxPositions == 77 && c.text.activation == .quickGelu && c.text.layerNormEps == 1e-5)
        #expect(c.text.bosTokenID == 49_406 && c.text.eosTokenID == 49_407 && c.text.padTokenID == 49_407)
        #expect(c.vision.imageSize == 32 && c.vision.patchSize == 8 && c.vision.channels == 3 && c.vision.hiddenSize == 32)
        #expect(c.vision.activation == .quickGelu && c.vision.hiddenDropout == 0 && c.projectionSize == 16 && c.logitScaleInitialValue == 2.6592)
        let written = try JSONSerialization.data(withJSONObject: c.jsonObject)
        #expect(try CLIPConfiguration(contentsOf: TestPaths.write(String(decoding: written, as: UTF8.self), named: "config.json")) == c)
        #expect(c.jsonObject["architectures"] as? [String] == ["CLIPModel"] && c.jsonObject["model_type"] as? String == "clip")
    }

    /// The problem a copy of the reference config.json edited by `edit` has.
    func configurationProblem(_ edit: (inout [String: Any]) -> Void) throws -> ModelFileError? {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.fixture("families/clip/config.json"))) as! [String: Any]
        edit(&object)
        let file = try TestPaths.write(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self), named: "config.json")
        do {
            _ = try CLIPConfiguration(contentsOf: file)
            return nil
        } catch {
            #expect(error.file == file.path)
            return error
        }
    }

    @Test func configurationErrorsNameTheFileAndTheField() throws {
        func editing(_ part: String, _ key: String, _ value: Any?) -> (inout [String: Any]) -> Void {
            { object in
                var config = object[part] as! [String: Any]
                config[key] = value
                object[part] = config
            }
        }
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("field 'text_config.hidden_size' is missing", editing("text_config", "hidden_size", nil)),
            ("field 'vision_config.patch_size' should be an integer, found a string", editing("vision_config", "patch_size", "8")),
            ("unsupported text_config.hidden_act 'swish'", editing("text_config", "hidden_act", "swish")),
            ("vision_config.patch_size 7 does not divide image_size 32", editing("vision_config", "patch_size", 7)),
            ("text_config.hidden_size 30 is not divisible by num_attention_heads 4", editing("text_config", "hidden_size", 30)),
            ("field 'text_config.eos_token_id' should be within 0...49407, found 49408", editing("text_config", "eos_token_id", 49_408)),
            ("field 'vision_config.attention_dropout' should be in [0, 1)", editing("vision_config", "attention_dropout", 1.5)),
            ("field 'text_config' should be an object, found an array", { $0["text_config"] = [1] }),
            ("unsupported model_type 'bert' (supported: clip)", { $0["model_type"] = "bert" }),
            ("field 'projection_dim' should be positive, found 0", { $0["projection_dim"] = 0 }),
        ]
        for (message, edit) in cases {
            let problem = try configurationProblem(edit)?.problem
            #expect(problem?.contains(message) == true, "expected '\(message)', got \(problem ?? "no error")")
        }
    }

    // MARK: Folders

    @Test func parameterNamesAreTransformersStateDictNames() throws {
        let clip = try CLIPModel(directory: Self.folder())
        let checkpoint = try SafeTensorsFile(path: TestPaths.fixture("families/clip/model.safetensors").path)
        #expect(Set(clip.stateDict().keys) == Set(checkpoint.names))
        #expect(clip.namedBuffers().isEmpty)
    }

    @Test func savedFolderLoadsBackWithIdenticalOutputs() throws {
        let (_, texts, pixels) = try Self.reference()
        let clip = try CLIPModel(directory: Self.folder())
        let saved = try TestPaths.temporaryDirectory()
        try clip.save(to: saved, companionFilesFrom: Self.folder())
        let reloaded = try CLIPModel(directory: saved)
        #expect(reloaded.configuration == clip.configuration)
        let (a, b) = withoutGradient { (clip(texts, pixels: pixels).logitsPerImage.scalars, reloaded(texts, pixels: pixels).logitsPerImage.scalars) }
        #expect(a == b)
        #expect(try Data(contentsOf: saved.appendingPathComponent("preprocessor_config.json"))
                == Data(contentsOf: TestPaths.fixture("families/clip/preprocessor_config.json")))
    }

    /// Loading is strict but for the `position_ids` buffers older checkpoints carry.
    @Test func loadingChecksTheWeightsAgainstTheConfiguration() throws {
        let clip = try CLIPModel(directory: Self.folder())
        let folder = try TestPaths.temporaryDirectory()
        try clip.save(to: folder)
        var tensors = clip.stateDict()
        tensors["text_model.embeddings.position_ids"] = Tensor.arange(0, 77).reshaped([1, 77])
        tensors["vision_model.embeddings.position_ids"] = Tensor.arange(0, 17).reshaped([1, 17])
        let weights = folder.appendingPathComponent("model.safetensors")
        try SafeTensors.write(tensors, to: weights.path)
        _ = try CLIPModel(directory: folder)
        tensors["text_projection.bias"] = Tensor.zeros([16])
        tensors["logit_scale"] = nil
        try SafeTensors.write(tensors, to: weights.path)
        let error = #expect(throws: ModelFileError.self) { try CLIPModel(directory: folder) }
        #expect(error?.file == weights.path && error?.problem.contains("does not match config.json") == true)
        #expect(error?.problem.contains("logit_scale") == true && error?.problem.contains("text_projection.bias") == true, "\(String(describing: error))")
        try FileManager.default.removeItem(at: weights)
        #expect(throws: ModelFileError(weights, "is missing")) { try CLIPModel(directory: folder) }
    }

    // MARK: Training

    static func tinyConfiguration() -> CLIPConfiguration {
        CLIPConfiguration(
            text: CLIPTextConfiguration(vocabularySize: 40, hiddenSize: 16, layers: 2, heads: 2, intermediateSize: 32, maxPositions: 12,
                                        bosTokenID: 38, eosTokenID: 39, padTokenID: 39),
            vision: VisionTransformerConfiguration(imageSize: 8, patchSize: 4, channels: 3, hiddenSize: 16, layers: 2, heads: 2,
                                                   intermediateSize: 32, activation: .quickGelu, layerNormEps: 1e-5),
            projectionSize: 8)
    }

    /// `count` captions of 1 to 8 random tokens between the start and end tokens, padded with the
    /// end token to the longest, and `count` random images.
    static func pairs(count: Int, seed: UInt64) -> (texts: TokenBatch, pixels: Tensor) {
        var g = RandomGenerator(seed: seed)
        let lengths = (0..<count).map { _ in 1 + Int(Tensor.uniform([1], low: 0, high: 7.99, generator: &g).item) }
        let tokens = lengths.max()! + 2
        var ids: [Int] = [], mask: [Int] = []
        for length in lengths {
            let words = Tensor.uniform([length], low: 0, high: 37.99, generator: &g).scalars.map { Int($0) }
            let row = [38] + words + [39]
            ids += row + [Int](repeating: 39, count: tokens - row.count)
            mask += [Int](repeating: 1, count: row.count) + [Int](repeating: 0, count: tokens - row.count)
        }
        return (TokenBatch(ids: ids, attentionMask: mask, batch: count, tokens: tokens), Tensor.normal([count, 3, 8, 8], generator: &g))
    }

    /// Central differences of the symmetric InfoNCE loss agree with the backward pass for the
    /// elements of largest gradient of parameters of both towers, the projections and the scale.
    @Test func gradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 3)
        let clip = CLIPModel(Self.tinyConfiguration(), source: RandomSource(seed: 0), generator: &g)
        let (texts, pixels) = Self.pairs(count: 6, seed: 4)
        clip.contrastiveLoss(texts, pixels: pixels).backward()
        let parameters = Dictionary(uniqueKeysWithValues: clip.namedParameters().map { ($0.name, $0.tensor) })
        let checked = [
            "text_model.embeddings.token_embedding.weight", "text_model.embeddings.position_embedding.weight",
            "text_model.encoder.layers.0.self_attn.q_proj.weight", "text_model.encoder.layers.1.mlp.fc1.bias",
            "text_model.final_layer_norm.weight", "vision_model.embeddings.patch_embedding.weight", "vision_model.embeddings.class_embedding",
            "vision_model.pre_layrnorm.bias", "vision_model.encoder.layers.0.self_attn.out_proj.weight",
            "vision_model.encoder.layers.1.mlp.fc2.weight", "vision_model.post_layernorm.weight", "text_projection.weight",
            "visual_projection.weight", "logit_scale",
        ]
        let epsilon: Float = 1e-3
        for name in checked {
            let tensor = parameters[name]!, analytic = tensor.grad!.scalars
            let largest = analytic.indices.sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(2)
            #expect(abs(analytic[largest.first!]) > 1e-3, "\(name): gradient \(analytic[largest.first!]) too small to check")
            for index in largest {
                func loss(_ shift: Float) -> Double {
                    let original = tensor.withUnsafeBufferPointer { $0[index] }
                    tensor.withUnsafeMutableBufferPointer { $0[index] = original + shift }
                    defer { tensor.withUnsafeMutableBufferPointer { $0[index] = original } }
                    return Double(withoutGradient { clip.contrastiveLoss(texts, pixels: pixels) }.item)
                }
                let numeric = (loss(epsilon) - loss(-epsilon)) / Double(2 * epsilon)
                #expect(abs(Double(analytic[index]) - numeric) <= 1e-3 + 1e-2 * abs(numeric),
                        "\(name)[\(index)]: backward \(analytic[index]), finite differences \(numeric)")
            }
        }
    }

    /// AdamW on eight (image, caption) pairs brings the loss well below ln 8, where a model that
    /// cannot tell the pairs apart (every logit equal) stays.
    @Test func adamWStepsLowerTheContrastiveLoss() {
        var g = RandomGenerator(seed: 5)
        let clip = CLIPModel(Self.tinyConfiguration(), source: RandomSource(seed: 0), generator: &g)
        let (texts, pixels) = Self.pairs(count: 8, seed: 6)
        let optimizer = AdamW(parameters: clip.trainableParameters(), learningRate: 1e-2, weightDecay: 0.01)
        var losses: [Float] = []
        for _ in 0..<30 {
            optimizer.zeroGrad()
            let loss = clip.contrastiveLoss(texts, pixels: pixels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item)
        }
        #expect(losses.last! < 0.6 * Foundation.log(8) && losses.last! < losses.first!, "losses \(losses)")
        #expect(clip.logitScale.item != Float(clip.configuration.logitScaleInitialValue))
    }

    // MARK: Image preprocessing

    struct ExpectedPreprocessing: Decodable {
        struct Source: Decodable {
            let channels, height, width: Int
            let bytes: [Int]
        }
        let images: [Source]
        let pixel_values: [[[[Float]]]]
    }

    /// Five images (landscape, portrait, smaller than the model's side, grayscale, 2:1) through
    /// the reference preprocessor_config.json, against transformers' `CLIPImageProcessorPil`.
    @Test func preprocessingMatchesTransformersPillowProcessor() throws {
        let preprocessing = try CLIPImagePreprocessing(directory: Self.folder(), imageSize: 224)
        #expect(preprocessing == CLIPImagePreprocessing(imageSize: 32))
        let expected = try JSONDecoder().decode(ExpectedPreprocessing.self,
                                                from: Data(contentsOf: TestPaths.fixture("families/clip/preprocessing_expected.json")))
        let images = expected.images.map { Image(channels: $0.channels, height: $0.height, width: $0.width, pixels: $0.bytes.map { Float($0) / 255 }) }
        let pixels = preprocessing(images)
        #expect(pixels.shape == [5, 3, 32, 32])
        let values = expected.pixel_values.flatMap { $0.flatMap { $0.flatMap { $0 } } }
        let worst = zip(pixels.scalars, values).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test func preprocessingReadsOlderFilesAndFallsBackToCLIPDefaults() throws {
        #expect(try CLIPImagePreprocessing(directory: TestPaths.temporaryDirectory(), imageSize: 48) == CLIPImagePreprocessing(imageSize: 48))
        let old = try TestPaths.write(#"{"size": 40, "crop_size": 36, "do_normalize": false, "do_convert_rgb": false}"#, named: "preprocessor_config.json")
        #expect(try CLIPImagePreprocessing(contentsOf: old) == CLIPImagePreprocessing(
            convertsToRGB: false, resize: .shortestEdge(40), centerCrop: .init(height: 36, width: 36), normalization: nil))
        let exact = try TestPaths.write(#"{"size": {"height": 20, "width": 30}, "do_center_crop": false, "do_rescale": false}"#, named: "preprocessor_config.json")
        let settings = try CLIPImagePreprocessing(contentsOf: exact)
        #expect(settings.resize == .exact(.init(height: 20, width: 30)) && settings.centerCrop == nil && settings.rescaleFactor == nil)
        let image = settings.process(Image(channels: 1, height: 10, width: 10, repeating: 1))
        #expect(image.channels == 3 && image.height == 20 && image.width == 30 && image.pixels.allSatisfy { $0 == 255 })
        for (json, message) in [(#"{"resample": 2}"#, "unsupported resample 2 (supported: 3, bicubic)"),
                                (#"{"image_mean": [0.5, 0.5]}"#, "fields 'image_mean' and 'image_std' should hold 3 numbers each"),
                                (#"{"size": {"shortest_edge": 0}}"#, "field 'size.shortest_edge' should be positive, found 0"),
                                (#"{"crop_size": {"height": 4}}"#, "field 'crop_size.width' is missing")] {
            let file = try TestPaths.write(json, named: "preprocessor_config.json")
            do {
                _ = try CLIPImagePreprocessing(contentsOf: file)
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.file == file.path && error.problem.contains(message), "\(error)")
            }
        }
    }
}
