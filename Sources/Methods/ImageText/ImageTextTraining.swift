import Foundation
import Models
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
    /// Write a resumable checkpoint every N steps (counted over all stages); `nil`: by time only.
    public var checkpointEvery: Int?
    /// Write a resumable checkpoint when this many minutes have passed since the last one;
    /// `nil`: by steps only. A run stopped by SIGINT or SIGTERM writes one either way.
    public var checkpointMinutes: Double? = 10

    public init(method: String, dataset: String, epochs: Int, batchSize: Int, learningRate: Float) {
        self.method = method
        self.dataset = dataset
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
    }
}

extension ImageTextTrainingConfiguration: RunSettings {
    public static let changeableOnResume: Set<String> = ["checkpointEvery", "checkpointMinutes"]
}

/// What a stage reports after each step.
public struct ImageTextStep: Sendable {
    public var stage: String
    public var step: Int, steps: Int
    public var losses: [String: Float]
}

/// Trains ALIGN or VLMo on image-caption pairs and writes the run folder: `training_config.json`,
/// `metrics.jsonl` (one record per step, with its stage), checkpoints and the model folder's files.
///
/// Each step draws a batch of images (shuffled per epoch, seeded) and one of each image's
/// captions at random; there is no image augmentation in the image-text stage (flips and crops
/// would contradict Shapes captions such as "left of").
///
/// A method is a list of stages run in order; steps are counted over all of them. Each epoch's
/// order and each step's random draws (captions, noise, ITM negatives) come from the seed, the
/// stage and the step, and checkpoints keep the model and the stage's optimizer, so a run
/// resumed from any checkpoint (`train(_:resume:)`) ends with exactly the weights of an
/// uninterrupted one.
public final class ImageTextTrainer {
    public let configuration: ImageTextTrainingConfiguration
    public let data: CaptionedImages
    public let output: URL
    /// Called after every step (progress display).
    public var onStep: ((ImageTextStep) -> Void)?
    /// Called when a resumed run continues after (step, of total steps).
    public var onResume: ((Int, Int) -> Void)?

    /// What a run did.
    public struct Summary: Sendable {
        /// Steps over all stages.
        public let steps: Int
        /// The run had already finished when asked to resume: nothing was trained.
        public let wasComplete: Bool
    }

    public init(configuration: ImageTextTrainingConfiguration, data: CaptionedImages, output: URL) throws {
        ensure(configuration.batchSize > 1 && configuration.epochs > 0, "ImageTextTrainer: batch size must exceed 1 and epochs be positive")
        guard data.count >= configuration.batchSize else {
            throw TrainingError.invalidSetup("\(configuration.dataset): \(data.count) images, fewer than one batch of \(configuration.batchSize)")
        }
        self.configuration = configuration
        self.data = data
        self.output = output
    }

    /// One stage of a method: its name, steps, which parameters it trains (`configure`, before
    /// its first step) and the loss of a batch given the step's random stream.
    struct Stage {
        let name: String
        let steps: Int
        let configure: () -> Void
        let loss: (Batch, inout RandomGenerator) -> (Tensor, [String: Float])
    }

    /// Steps of the image-text stage: whole batches per epoch times epochs, capped by `maxSteps`.
    public var pairSteps: Int {
        let steps = configuration.epochs * (data.count / configuration.batchSize)
        return configuration.maxSteps.map { min($0, steps) } ?? steps
    }

    /// ALIGN: symmetric InfoNCE over every batch; saves the model into the run folder. With
    /// `resume`, continues from the run's newest checkpoint.
    @discardableResult
    public func train(_ model: ALIGN, resume: Bool = false) throws -> Summary {
        try run([Stage(name: "itc", steps: pairSteps, configure: {}) { batch, _ in
            let loss = model.contrastiveLoss(images: model.configuration.pixels(batch.images), texts: batch.captions)
            return (loss, ["loss": loss.item])
        }], model: model, resume: resume) { try model.save(to: self.output) }
    }

    /// VLMo's three stages, then saves the model into the run folder. With `resume`, continues
    /// from the run's newest checkpoint, in whichever stage it was.
    ///
    /// 1. Image only (`vision`): contrast between two noisy views of each image, through the
    ///    vision experts; trains patch embeddings, self-attention, vision experts, image projection.
    /// 2. Text only (`language`): contrast between two captions of each image, through the
    ///    language experts, with self-attention and the vision experts frozen.
    /// 3. Image-text (`itc+itm`): ITC plus ITM on `matchingPairsPerBatch` positives and hard
    ///    negatives sampled from the batch's ITC similarities (``albefMatchingPairs(similarity:groups:count:hardness:generator:)``);
    ///    every parameter trains.
    @discardableResult
    public func train(_ model: VLMo, resume: Bool = false) throws -> Summary {
        try run(vlmoStages(model), model: model, resume: resume) { try model.save(to: self.output) }
    }

    /// VLMo's stages (see ``train(_:resume:)-(VLMo,_)``).
    func vlmoStages(_ model: VLMo) -> [Stage] {
        let unimodal = max(1, Int(Float(pairSteps) * configuration.unimodalStageFraction))
        let stageSteps = configuration.maxSteps.map { min($0, unimodal) } ?? unimodal
        let weight = configuration.matchingWeight, pairsPerBatch = configuration.matchingPairsPerBatch
        let vision = Stage(name: "vision", steps: stageSteps, configure: { VLMoStages.vision.configure(model) }) { batch, generator in
            let pixels = model.configuration.pixels(batch.images)
            let views = (0..<2).map { _ in model.imageEmbeddings(pixels + Tensor.normal(pixels.shape, std: 0.3, generator: &generator)) }
            let loss = model.contrast.symmetric(views[0], views[1])
            return (loss, ["loss": loss.item])
        }
        let language = Stage(name: "language", steps: stageSteps, configure: { VLMoStages.language.configure(model) }) { batch, _ in
            let loss = model.contrast.symmetric(model.textEmbeddings(batch.captions), model.textEmbeddings(batch.otherCaptions))
            return (loss, ["loss": loss.item])
        }
        let pairs = Stage(name: "itc+itm", steps: pairSteps, configure: { VLMoStages.visionLanguage.configure(model) }) { batch, generator in
            let pixels = model.configuration.pixels(batch.images)
            let images = model.imageEmbeddings(pixels), texts = model.textEmbeddings(batch.captions)
            let itc = model.contrast.symmetric(images, texts)
            guard weight > 0 else { return (itc, ["loss": itc.item, "itc": itc.item]) }
            let logits = withoutGradient { images.matmul(texts, transposeOther: true) * model.logitScale.exp() }
            let pairs = albefMatchingPairs(similarity: logits, groups: batch.groups, count: pairsPerBatch, generator: &generator)
            let itm = model.matchLogits(texts: pairs.captions.map { batch.captions[$0] }, images: pixels.indexSelect(axis: 0, pairs.images))
                .crossEntropy(targets: pairs.targets)
            let loss = itc + itm * weight
            return (loss, ["loss": loss.item, "itc": itc.item, "itm": itm.item])
        }
        return [vision, language, pairs]
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

    /// Runs `stages` in order (from the newest checkpoint when `resume` is set), each `steps`
    /// AdamW steps (warm-up, cosine decay) over the parameters it does not freeze, then `save`.
    func run(_ stages: [Stage], model: Module, resume: Bool, save: () throws -> Void) throws -> Summary {
        let c = configuration
        let total = stages.map(\.steps).reduce(0, +)
        let checkpoints = CheckpointSchedule(run: output, every: c.checkpointEvery, minutes: c.checkpointMinutes)
        var done = 0
        var restored: [String: Tensor]?
        switch try checkpoints.start(resume: resume, totalSteps: total) {
        case .fresh: break
        case .finished(let step): return Summary(steps: step, wasComplete: true)
        case .checkpoint(let checkpoint):
            try restoreState(model, from: checkpoint.tensors("model.safetensors"), folder: checkpoint.folder)
            restored = try checkpoint.tensors("optimizer.safetensors")
            done = checkpoint.state.step
            onResume?(done, total)
        }
        let log = try MetricsLog(url: output.appendingPathComponent("metrics.jsonl"))
        if resume { try log.truncate(after: done) }
        try Interruption.watch {
            var first = 0
            for stage in stages {
                defer { first += stage.steps }
                guard done < first + stage.steps else { continue }
                stage.configure()
                let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: c.learningRate, weightDecay: c.weightDecay)
                // A checkpoint taken inside this stage holds its optimizer; one at its start, the previous stage's.
                if let state = restored {
                    if done > first { try optimizer.load(stateDict: state) }
                    restored = nil
                }
                let schedule = CosineSchedule(peakLearningRate: c.learningRate, warmupSteps: Int(Float(stage.steps) * c.warmupFraction), totalSteps: stage.steps)
                let stageSeed = c.seed &+ UInt64(stage.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
                let order = EpochOrder(count: data.count, batchSize: c.batchSize, seed: stageSeed ^ 0x0DE5_A11C)
                model.train()
                for step in (done - first)..<stage.steps {
                    let stepStart = ContinuousClock.now
                    let indices = order.indices(atStep: step)
                    var generator = RandomGenerator(seed: stageSeed, offset: UInt64(step) << 32)
                    let batch = Batch(images: indices.map { data.images[$0] },
                                      captions: indices.map { pick(data.captions[$0], &generator) },
                                      otherCaptions: indices.map { pick(data.captions[$0], &generator) },
                                      groups: captionGroups(indices.map { data.captions[$0] }))
                    optimizer.learningRate = schedule.learningRate(at: step)
                    optimizer.zeroGrad()
                    let (value, metrics) = stage.loss(batch, &generator)
                    guard value.item.isFinite else { throw TrainingError.nonFinite(step: done + 1, tensor: "the loss") }
                    value.backward()
                    optimizer.step()
                    done += 1
                    // The base fields of every trainer's log (step, loss, lr, a throughput), which `contrast report` reads.
                    var record: [String: MetricsLog.Value] = ["step": .int(done), "lr": .double(Double(optimizer.learningRate)),
                                                             "images_per_s": .double(Double(c.batchSize) / (ContinuousClock.now - stepStart).seconds)]
                    for (key, metric) in metrics { record[key] = .double(Double(metric)) }
                    try log.append(record)
                    onStep?(ImageTextStep(stage: stage.name, step: step + 1, steps: stage.steps, losses: metrics))
                    try checkpoints.afterStep(done, of: total, signal: Interruption.signal, saves: true) {
                        let state = TrainerState(step: done, dropout: RandomGenerator(seed: c.seed), bestMetric: nil, bestStep: nil, skippedSteps: 0)
                        try checkpoints.store.save(parameters: model.stateDict(), optimizer: optimizer.stateDict(), method: [:], state: state)
                        return checkpoints.store.directory.appendingPathComponent("step-\(done)")
                    }
                }
                model.unfreeze()
            }
        }
        try save()
        try checkpoints.finish(step: done)
        return Summary(steps: done, wasComplete: false)
    }

    /// Assigns every parameter and buffer of `model` its saved value.
    private func restoreState(_ model: Module, from saved: [String: Tensor], folder: URL) throws {
        for (name, tensor) in model.namedState() {
            guard let value = saved[name], value.shape == tensor.shape else {
                throw TrainingError.corruptCheckpoint("\(folder.path): \(name) is missing or has the wrong shape")
            }
            tensor.assign(value)
        }
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
