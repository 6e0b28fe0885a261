import Foundation
@testable import Methods
import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing
import Vision

/// ALIGN and VLMo model folders, the loader's errors, and VLMo's stage freezing.
@Suite struct ImageTextModelTests {
    static let data = ShapesDataset(split: .train, count: 16, size: 32, seed: 3).captioned()

    static func configuration(_ method: String) -> ImageTextConfiguration {
        var c = ImageTextConfiguration(method: method, imageSize: 32, channels: 3, normalization: ImageTextData.normalization(for: data))
        c.width = 32
        c.layers = 2
        c.visionLanguageLayers = 1
        c.textWidth = 32
        c.embeddingSize = 16
        return c
    }

    @Test func theValidationSplitIsDisjointSizedAndTheSameForEverySeed() throws {
        let data = ShapesDataset(split: .train, count: 50, size: 16, seed: 3).captioned()
        let (training, validation) = ImageTextData.holdingOut(0.1, of: data)
        let held = try #require(validation)
        #expect(held.count == 5 && training.count == 45)
        // Every image lands in exactly one part (Shapes images are distinct).
        let pixels = { (d: CaptionedImages) in Set(d.images.map(\.pixels)) }
        #expect(pixels(training).isDisjoint(with: pixels(held)) && pixels(training).union(pixels(held)) == pixels(data))
        #expect(held.captions.allSatisfy { captions in data.captions.contains(captions) })
        #expect(ImageTextData.holdingOut(0.1, of: data).validation == held)
        #expect(ImageTextData.holdingOut(0, of: data).validation == nil)
        // At least one image on each side.
        #expect(ImageTextData.holdingOut(0.01, of: data).validation?.count == 1)
    }

    @Test func aCaptionFileRunIsSizedByImagesSeen() throws {
        var settings = TrainingSettings(method: "align")
        settings.dataset = "captions.jsonl"
        let stage = try TrainingStage(name: "itc", examples: 3000, what: "images", settings: settings, processes: 1, orderSeed: 0, stepSeed: 0)
        #expect(stage.steps == TrainingSettings.alignCaptionsExamples / settings.batchSize)
        // VLMo, ALBEF and CLIP fine-tuning see fewer.
        for other in [TrainingSettings(method: "vlmo"), TrainingSettings(method: "albef")] {
            var o = other
            o.dataset = "captions.jsonl"
            let s = try TrainingStage(name: "itc", examples: 3000, what: "images", settings: o, processes: 1, orderSeed: 0, stepSeed: 0)
            #expect(s.steps == TrainingSettings.captionFileExamples / o.batchSize)
        }
        var clip = TrainingSettings(method: "align", fineTuning: true)
        (clip.dataset, clip.model) = ("captions.jsonl", "models/clip")
        #expect(clip.captionFileRunExamples == TrainingSettings.captionFileExamples)
        // ... on Shapes too: its 200 epochs are the small towers'.
        clip.dataset = "shapes"
        #expect(clip.resolvedEpochs == nil)
        let larger = try TrainingStage(name: "itc", examples: 30_000, what: "images", settings: settings, processes: 1, orderSeed: 0, stepSeed: 0)
        #expect(larger.steps == stage.steps)
        // The built-in data sets by their epochs; Shapes at ALIGN's captions learning rate, Fashion-MNIST (zero-shot over class names) not.
        settings.dataset = "shapes"
        #expect(settings.trainsALIGNOnCaptions)
        let shapes = try TrainingStage(name: "itc", examples: 19_500, what: "images", settings: settings, processes: 1, orderSeed: 0, stepSeed: 0)
        #expect(shapes.steps == TrainingSettings.defaultEpochs["align"]!["shapes"]! * (19_500 / settings.batchSize))
        settings.dataset = "fashion-mnist"
        #expect(!settings.trainsALIGNOnCaptions)
        let fashion = try TrainingStage(name: "itc", examples: 60_000, what: "images", settings: settings, processes: 1, orderSeed: 0, stepSeed: 0)
        #expect(fashion.steps == TrainingSettings.defaultEpochs["align"]!["fashion-mnist"]! * (60_000 / settings.batchSize))
    }

    func roundTrip(_ model: any ImageTextModel) throws {
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("model")
        try model.save(to: folder)
        let loaded = try ImageTextModelFolder.load(folder)
        #expect(type(of: loaded) == type(of: model))
        let texts = Array(Self.data.captions.map { $0[0] }.prefix(3)), images = Array(Self.data.images.prefix(3))
        #expect(loaded.encodeImages(images).scalars == model.encodeImages(images).scalars)
        #expect(loaded.encodeTexts(texts).scalars == model.encodeTexts(texts).scalars)
        #expect(loaded.encodeImages(images).shape == [3, 16])
        #expect(loaded.matchScores(texts: texts, images: images)?.scalars == model.matchScores(texts: texts, images: images)?.scalars)
    }

    @Test func alignFolderRoundTrip() throws {
        let model = try ALIGN(Self.configuration("align"), seed: 1)
        #expect(model.matchScores(texts: ["a red circle"], images: [Self.data.images[0]]) == nil)
        try roundTrip(model)
    }

    /// ALIGN starts at the largest logit scale its loss allows (100), where the scale still takes
    /// a gradient: the clamp's bounds are inclusive, so the scale can move down from there.
    @Test func alignStartsAtTheLogitScaleClampAndStillLearnsIt() throws {
        let model = try ALIGN(Self.configuration("align"), seed: 1)
        #expect(abs(Foundation.exp(model.logitScale.item) - 100) < 1e-3)
        let batch = Array(0..<8)
        let loss = model.contrast.symmetric(model.imageEmbeddings(model.configuration.pixels(batch.map { Self.data.images[$0] })),
                                            model.textEmbeddings(model.tokens(batch.map { Self.data.captions[$0][0] })))
        loss.backward()
        let gradient = try #require(model.logitScale.grad?.item)
        #expect(gradient != 0 && gradient.isFinite)
    }

    @Test func vlmoFolderRoundTrip() throws {
        let model = try VLMo(Self.configuration("vlmo"), seed: 1)
        let scores = try #require(model.matchScores(texts: ["a red circle", "a blue square"], images: Array(Self.data.images.prefix(3))))
        #expect(scores.shape == [2, 3])
        try roundTrip(model)
    }

    @Test func loaderErrorsNameTheFile() throws {
        let folder = try TestPaths.temporaryDirectory()
        let config = folder.appendingPathComponent(ImageTextModelFolder.configurationFile)
        func message() -> String {
            do { _ = try ImageTextModelFolder.load(folder); return "" } catch { return String(describing: error) }
        }
        #expect(message().contains("image_text_config.json") && message().contains("missing"))
        try "not json".write(to: config, atomically: true, encoding: .utf8)
        #expect(message().contains("'method'"))
        try #"{"method": "clip"}"#.write(to: config, atomically: true, encoding: .utf8)
        #expect(message().contains("unknown method 'clip'"))
        try #"{"method": "align"}"#.write(to: config, atomically: true, encoding: .utf8)
        #expect(message().contains("not a valid image-text configuration"))
        // A valid configuration without weights.
        try ALIGN(Self.configuration("align"), seed: 0).save(to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        #expect(message().contains("model.safetensors: is missing"))
    }

    /// A fresh backbone gives nearly the same [CLS] for every caption (cosine 0.99999 between
    /// captions) and image (0.95): the ITC projections must leave training features that differ
    /// across the batch, or ITC starts at chance and the image features stay near-constant.
    @Test func freshVLMoFeaturesDifferAcrossTheBatch() throws {
        let model = try VLMo(Self.configuration("vlmo"), seed: 2)
        model.train()
        let features = withoutGradient {
            [model.textEmbeddings(Self.data.captions.map { $0[0] }), model.imageEmbeddings(model.configuration.pixels(Self.data.images))]
        }
        for embeddings in features {
            let n = embeddings.shape[0], similarity = embeddings.matmul(embeddings, transposeOther: true).scalars
            let offDiagonal = (0..<n).flatMap { i in (0..<n).filter { $0 != i }.map { similarity[i * n + $0] } }
            #expect(offDiagonal.reduce(0, +) / Float(offDiagonal.count) < 0.5)
        }
    }

    /// VLMo's ITM negatives come from other scenes: two copies of a scene, each the other's most
    /// similar item, are never drawn as each other's negative (the argmax of the similarities
    /// would label them a non-match every time).
    @Test func matchingNegativesAvoidTheSameScene() {
        let groups = [0, 0, 1, 2]
        var logits = [Float](repeating: 0, count: 16)
        for i in 0..<4 { for j in 0..<4 where groups[i] == groups[j] { logits[i * 4 + j] = 10 } }
        var generator = RandomGenerator(seed: 5)
        var drawn = Set<Int>()
        for _ in 0..<50 {
            let pairs = albefMatchingPairs(similarity: Tensor(logits, shape: [4, 4]), groups: groups, generator: &generator)
            #expect(pairs.targets == [1, 1, 1, 1] + [Int](repeating: 0, count: 8))
            #expect(Array(pairs.captions.prefix(4)) == [0, 1, 2, 3] && Array(pairs.images.prefix(4)) == [0, 1, 2, 3])
            for index in 4..<pairs.targets.count {
                #expect(groups[pairs.captions[index]] != groups[pairs.images[index]], "pair \(index) shows one scene")
                drawn.insert(pairs.captions[index] * 4 + pairs.images[index])
            }
        }
        // Sampled, not always the same negative.
        #expect(drawn.count > 4)
    }

    /// After each optimizer step the trainer clamps the logit scale parameter itself to at most
    /// 100 (OpenCLIP), for ALIGN and VLMo: left above, the forward clamp would stop its gradient
    /// for good. One that a step left inside the range stays where it is.
    @Test func trainingClampsTheLogitScaleAfterEachStep() throws {
        let align = try ALIGN(Self.configuration("align"), seed: 3), vlmo = try VLMo(Self.configuration("vlmo"), seed: 3)
        let settings = TrainingSettings(method: "align")
        for (training, scale) in [(try ImageTextTraining(align, configuration: settings, data: Self.data), align.logitScale),
                                  (try ImageTextTraining(vlmo, configuration: TrainingSettings(method: "vlmo"), data: Self.data), vlmo.logitScale)] {
            scale.withUnsafeMutableBufferPointer { $0[0] = Foundation.log(150) }
            training.didStep(0)
            #expect(scale.item == Foundation.log(Float(100)))
            scale.withUnsafeMutableBufferPointer { $0[0] = Foundation.log(30) }
            training.didStep(1)
            #expect(scale.item == Foundation.log(Float(30)))
        }
    }

    /// VLMo stage 2 trains the language experts with self-attention and the vision experts
    /// frozen: their weights must come out of it bit-identical.
    @Test func languageStageLeavesFrozenParametersUnchanged() throws {
        let model = try VLMo(Self.configuration("vlmo"), seed: 2)
        var settings = TrainingSettings(method: "vlmo")
        (settings.batchSize, settings.learningRate) = (8, 1e-2)
        settings.seed = 4
        settings.maxSteps = 10
        let trainer = try Trainer(method: ImageTextTraining(model, configuration: settings, data: Self.data), settings: settings,
                                  output: try TestPaths.temporaryDirectory())
        #expect(trainer.stages.map(\.steps) == [1, 1, 10])
        // The weights as stage 2 (language) starts, and as stage 3 starts.
        var snapshots: [Int: [String: [Float]]] = [:]
        trainer.onEvent = { if case .stage(let index, _, _) = $0, index > 0 { snapshots[index] = model.stateDict().mapValues(\.scalars) } }
        try trainer.train()
        let (before, after) = (try #require(snapshots[1]), try #require(snapshots[2]))
        let trained = VLMoStages.language.trainablePrefixes(layers: model.configuration.layers)
        var changed = 0, frozen = 0
        for (name, value) in after {
            let isTrained = trained.contains { name == $0 || name.hasPrefix($0 + ".") }
            if isTrained {
                if value != before[name] { changed += 1 }
            } else {
                frozen += 1
                #expect(value == before[name], "\(name) changed in the language stage")
            }
        }
        #expect(frozen > 0 && changed > 0)
        #expect(before.keys.contains("backbone.encoder.layer.0.attention.attention.query.weight"))
        #expect(!trained.contains { "backbone.encoder.layer.0.attention.attention.query.weight".hasPrefix($0) })
        // In the image-text stage every parameter trains again.
        #expect(model.trainableParameterCount == model.parameterCount)
    }
}
