import Foundation
import NeuralNetworks
import Objectives
import Tensors
import Vision

/// The settings of an image-text training run, written as the run folder's `training_config.json`.
public struct ImageTextTrainingConfiguration: Codable, Sendable, Equatable {
    public var method: String
    public var dataset: String
    public var seed: UInt64 = 0
    /// Epochs of the image-text stage (ALIGN's only stage, VLMo's stage 3).
    public var epochs: Int
    /// Stops each stage after this many steps when set.
    public var maxSteps: Int?
    public var batchSize: Int
    public var learningRate: Float
    public var weightDecay: Float = 0.01
    /// Fraction of the steps given to warm-up, then cosine decay.
    public var warmupFraction: Float = 0.05
    /// VLMo: steps of stage 1 (image only) and of stage 2 (text only) as a fraction of stage 3's.
    public var unimodalStageFraction: Float = 0.1
    /// VLMo: weight of the ITM loss next to the ITC loss in stage 3.
    public var matchingWeight: Float = 1
    /// VLMo: pairs of each batch that ITM scores, each with two negatives drawn from the whole
    /// batch; the fused forward passes are most of a step's cost.
    public var matchingPairsPerBatch: Int = 32

    public init(method: String, dataset: String, epochs: Int, batchSize: Int, learningRate: Float) {
        self.method = method
        self.dataset = dataset
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
    }
}

/// What a stage reports after each step.
public struct ImageTextStep: Sendable {
    public var stage: String
    public var step: Int, steps: Int
    public var losses: [String: Float]
}

/// Trains ALIGN or VLMo on image-caption pairs and writes the run folder: `training_config.json`,
/// `metrics.jsonl` (one record per step, with its stage) and the model folder's files.
///
/// Each step draws a batch of images (shuffled per epoch, seeded) and one of each image's
/// captions at random; there is no image augmentation in the image-text stage (flips and crops
/// would contradict Shapes captions such as "left of").
public final class ImageTextTrainer {
    public let configuration: ImageTextTrainingConfiguration
    public let data: CaptionedImages
    public let output: URL
    /// Called after every step (progress display).
    public var onStep: ((ImageTextStep) -> Void)?
    private let log: MetricsLog
    private var globalStep = 0

    public init(configuration: ImageTextTrainingConfiguration, data: CaptionedImages, output: URL) throws {
        ensure(configuration.batchSize > 1 && configuration.epochs > 0, "ImageTextTrainer: batch size must exceed 1 and epochs be positive")
        guard data.count >= configuration.batchSize else {
            throw TrainingError.invalidSetup("\(configuration.dataset): \(data.count) images, fewer than one batch of \(configuration.batchSize)")
        }
        self.configuration = configuration
        self.data = data
        self.output = output
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(configuration).write(to: output.appendingPathComponent("training_config.json"), options: .atomic)
        log = try MetricsLog(url: output.appendingPathComponent("metrics.jsonl"))
    }

    /// Steps of the image-text stage: whole batches per epoch times epochs, capped by `maxSteps`.
    public var pairSteps: Int {
        let steps = configuration.epochs * (data.count / configuration.batchSize)
        return configuration.maxSteps.map { min($0, steps) } ?? steps
    }

    /// ALIGN: symmetric InfoNCE over every batch; saves the model into the run folder.
    public func train(_ model: ALIGN) throws {
        try stage("itc", model: model, steps: pairSteps) { batch in
            let loss = model.contrastiveLoss(images: model.configuration.pixels(batch.images), texts: batch.captions)
            return (loss, ["loss": loss.item])
        }
        try model.save(to: output)
    }

    /// VLMo's three stages, then saves the model into the run folder.
    ///
    /// 1. Image only (`vision`): contrast between two noisy views of each image, through the
    ///    vision experts; trains patch embeddings, self-attention, vision experts, image projection.
    /// 2. Text only (`language`): contrast between two captions of each image, through the
    ///    language experts, with self-attention and the vision experts frozen.
    /// 3. Image-text (`itc+itm`): ITC plus ITM on `matchingPairsPerBatch` positives and hard
    ///    negatives sampled from the batch's ITC similarities (``albefMatchingPairs(similarity:groups:count:hardness:generator:)``);
    ///    every parameter trains.
    public func train(_ model: VLMo) throws {
        let unimodal = max(1, Int(Float(pairSteps) * configuration.unimodalStageFraction))
        let stageSteps = configuration.maxSteps.map { min($0, unimodal) } ?? unimodal
        try trainVisionStage(model, steps: stageSteps)
        try trainLanguageStage(model, steps: stageSteps)
        try trainPairStage(model, steps: pairSteps)
        try model.save(to: output)
    }

    /// VLMo stage 1 (see `train(_:)`).
    public func trainVisionStage(_ model: VLMo, steps: Int) throws {
        VLMoStages.vision.configure(model)
        var noise = RandomGenerator(seed: configuration.seed &+ 101)
        try stage("vision", model: model, steps: steps) { batch in
            let pixels = model.configuration.pixels(batch.images)
            let views = (0..<2).map { _ in model.imageEmbeddings(pixels + Tensor.normal(pixels.shape, std: 0.3, generator: &noise)) }
            let loss = model.contrast.symmetric(views[0], views[1])
            return (loss, ["loss": loss.item])
        }
    }

    /// VLMo stage 2 (see `train(_:)`).
    public func trainLanguageStage(_ model: VLMo, steps: Int) throws {
        VLMoStages.language.configure(model)
        try stage("language", model: model, steps: steps) { batch in
            let loss = model.contrast.symmetric(model.textEmbeddings(batch.captions), model.textEmbeddings(batch.otherCaptions))
            return (loss, ["loss": loss.item])
        }
    }

    /// VLMo stage 3 (see `train(_:)`).
    public func trainPairStage(_ model: VLMo, steps: Int) throws {
        VLMoStages.visionLanguage.configure(model)
        let weight = configuration.matchingWeight
        var sampling = RandomGenerator(seed: configuration.seed &+ 103)
        try stage("itc+itm", model: model, steps: steps) { batch in
            let pixels = model.configuration.pixels(batch.images)
            let images = model.imageEmbeddings(pixels), texts = model.textEmbeddings(batch.captions)
            let itc = model.contrast.symmetric(images, texts)
            guard weight > 0 else { return (itc, ["loss": itc.item, "itc": itc.item]) }
            let logits = withoutGradient { images.matmul(texts, transposeOther: true) * model.logitScale.exp() }
            let pairs = albefMatchingPairs(similarity: logits, groups: batch.groups, count: configuration.matchingPairsPerBatch,
                                           generator: &sampling)
            let itm = model.matchLogits(texts: pairs.captions.map { batch.captions[$0] }, images: pixels.indexSelect(axis: 0, pairs.images))
                .crossEntropy(targets: pairs.targets)
            let loss = itc + itm * weight
            return (loss, ["loss": loss.item, "itc": itc.item, "itm": itm.item])
        }
    }

    /// One batch: images, a caption of each, and a second caption of each (the same one when
    /// the image has only one).
    public struct Batch {
        public var images: [Image]
        public var captions: [String]
        public var otherCaptions: [String]
        /// Equal for two images exactly when they have the same captions (``captionGroups(_:)``).
        public var groups: [Int]
    }

    /// Runs `steps` AdamW steps (warm-up, cosine decay) over the parameters that are not frozen.
    private func stage(_ name: String, model: Module, steps: Int, loss: (Batch) -> (Tensor, [String: Float])) throws {
        let c = configuration
        let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: c.learningRate, weightDecay: c.weightDecay)
        let schedule = CosineSchedule(peakLearningRate: c.learningRate, warmupSteps: Int(Float(steps) * c.warmupFraction), totalSteps: steps)
        let perEpoch = data.count / c.batchSize
        var generator = RandomGenerator(seed: c.seed &+ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
        var order: [Int] = []
        model.train()
        for step in 0..<steps {
            let stepStart = ContinuousClock.now
            if step % perEpoch == 0 { order = generator.shuffled(Array(0..<data.count)) }
            let indices = order[((step % perEpoch) * c.batchSize)..<((step % perEpoch + 1) * c.batchSize)]
            let batch = Batch(images: indices.map { data.images[$0] },
                              captions: indices.map { pick(data.captions[$0], &generator) },
                              otherCaptions: indices.map { pick(data.captions[$0], &generator) },
                              groups: captionGroups(indices.map { data.captions[$0] }))
            optimizer.learningRate = schedule.learningRate(at: step)
            optimizer.zeroGrad()
            let (value, metrics) = loss(batch)
            value.backward()
            optimizer.step()
            globalStep += 1
            // The base fields of every trainer's log (step, loss, lr, a throughput), which `contrast report` reads.
            var record: [String: MetricsLog.Value] = ["step": .int(globalStep), "lr": .double(Double(optimizer.learningRate)),
                                                     "images_per_s": .double(Double(c.batchSize) / (ContinuousClock.now - stepStart).seconds)]
            for (key, metric) in metrics { record[key] = .double(Double(metric)) }
            try log.append(record)
            onStep?(ImageTextStep(stage: name, step: step + 1, steps: steps, losses: metrics))
        }
        model.unfreeze()
    }

    private func pick(_ captions: [String], _ generator: inout RandomGenerator) -> String {
        captions[generator.nextInt(below: captions.count)]
    }
}

/// Which VLMo parameters each training stage updates; the rest are frozen (no gradient, not in
/// the optimizer).
public enum VLMoStages: String, CaseIterable, Sendable {
    case vision, language, visionLanguage

    /// The parameter prefixes trained in this stage.
    public func trainablePrefixes(layers: Int) -> [String] {
        let layerNames = (0..<layers).map { "backbone.encoder.layer.\($0)" }
        switch self {
        case .vision:
            return ["patch_embeddings", "backbone.layernorm", "image_projection", "logit_scale"]
                + layerNames.flatMap { ["\($0).layernorm_before", "\($0).attention", "\($0).vision_expert"] }
        case .language:
            return ["text_embeddings", "text_projection", "logit_scale"] + layerNames.map { "\($0).language_expert" }
        case .visionLanguage:
            return [""]
        }
    }

    /// Freezes `model` except this stage's parameters.
    public func configure(_ model: VLMo) {
        model.freeze()
        for prefix in trainablePrefixes(layers: model.configuration.layers) { model.unfreeze(prefix: prefix) }
    }
}
