import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors
import Vision

/// The settings of an ALBEF run (written to the run folder's `training_config.json`).
///
/// From the paper (Li et al. 2021): AdamW with weight decay 0.02 and a cosine schedule,
/// distillation weight 0.4 ramped over the first epoch, MLM probability 0.15, temperature 0.07.
/// Changed for a small model trained from scratch in a few hundred CPU steps: batch 64 (paper
/// 512), queue 1024 (paper 65 536), peak learning rate 1e-3 (paper 1e-4) with 5% warm-up, and
/// momentum 0.95 (paper 0.995, which starts from pretrained encoders: from random ones, keys that
/// follow the online encoders over ~200 steps stay random for most of a short run and ITC stalls).
public struct ALBEFTraining: Sendable, Equatable, CommonSettings {
    public var method = ALBEF.method
    /// `shapes` (generated, ``trainCount`` images) or a caption file.
    public var dataset = "shapes"
    /// Shapes images to train on, and held-out test images for the retrieval report (0: none):
    /// enough for the small default model to learn attribute binding within a 15-minute run.
    public var trainCount = 4000, testCount = 500
    /// Candidates per query the ITM head re-ranks in the retrieval report.
    public var rerankDepth = 16
    /// The model's shape (not a flag: the default small ViT and BERT).
    public var model = ALBEFConfiguration()
    public var epochs = 20
    /// Stop after this many steps (`nil`: every epoch).
    public var maxSteps: Int?
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 0.02
    public var warmupFraction: Float = 0.05
    public var momentum: Float = 0.95
    public var queueSize = 1024
    /// The final distillation weight.
    public var alpha: Float = 0.4
    public var mlmProbability: Float = 0.15
    /// The share of the run over which ITM negatives go from uniformly drawn to ALBEF's hard ones
    /// (``albefNegativeHardness``; 0: hard from the first step, as in ALBEF). A ramp over half the
    /// default run re-ranked worse (t2i R@1 9.2 against 13.5 at 6 epochs).
    public var itmHardnessRamp: Float = 0
    /// Whether ITM also pairs each image with one of the dataset's negative captions for it
    /// (``CaptionedImages/negativeCaptions``: Shapes' swapped colours, kinds, sizes or places), an
    /// addition to ALBEF's negatives from the similarity matrix in the spirit of NegCLIP; ignored
    /// for datasets without them. Rendering the swapped scenes as negative images for the
    /// captions as well measured worse (re-ranked text-to-image R@1 below ITC on two seeds).
    public var captionNegatives = true
    public var seed: UInt64 = 0
    public var checkpointEvery: Int?
    public var checkpointMinutes: Double? = 10
    /// Global gradient-norm clipping; `nil` (the default, as ALBEF's code) disables it.
    public var maxGradientNorm: Float?
    public var skipNonFinite = false
    public var precision: MatmulPrecision = .fp32

    public init() {}

    /// How the trainer runs the steps (no gradient caching: ITM fuses whole batches, and the
    /// projections' BatchNorm would see chunks).
    public var trainer: TrainerSettings { trainer() }

    /// ITM without the data set's false captions.
    var noCaptionNegatives: Bool {
        get { !captionNegatives }
        set { captionNegatives = !newValue }
    }

    public var settings: [Setting<Self>] {
        [Setting("dataset", \.dataset, "Training data: shapes (generated scenes) or a caption file.", valueName: "name|path"),
         Setting("train-count", \.trainCount, "Shapes training images."),
         Setting("test-count", \.testCount, "Shapes test images of the final retrieval report (0: none)."),
         Setting("rerank-depth", \.rerankDepth, "Candidates per query the ITM head re-ranks in the retrieval report.", changeableOnResume: true),
         Setting("epochs", \.epochs, "Passes over the training images.", changeableOnResume: true)] + Self.commonSettings + [
         Setting("warmup-fraction", \.warmupFraction, "Fraction of the steps warming up before the cosine decay."),
         Setting("momentum", \.momentum, "Momentum of the EMA encoders."),
         Setting("queue-size", \.queueSize, "Momentum features kept per modality as extra negatives."),
         Setting("alpha", \.alpha, "Final weight of momentum distillation (ramped up over the first epoch)."),
         Setting("mlm-probability", \.mlmProbability, "Share of caption tokens masked for MLM."),
         Setting("itm-hardness-ramp", \.itmHardnessRamp, "Share of the run over which ITM negatives go from random to hard (0: hard throughout)."),
         Setting("no-caption-negatives", \.noCaptionNegatives, "ITM without the data set's false captions (Shapes' swapped attributes) as extra negatives.")]
    }

    /// What is wrong with the settings (empty when they are usable).
    public var problems: [String] {
        var found = commonProblems
        if epochs < 1 { found.append("epochs must be at least 1") }
        if trainCount < 1 { found.append("train-count must be at least 1") }
        if testCount < 0 { found.append("test-count must not be negative") }
        if rerankDepth < 1 { found.append("rerank-depth must be at least 1") }
        if queueSize < 1 { found.append("queue-size must be at least 1") }
        if !(0...1).contains(alpha) { found.append("alpha must be in [0, 1]") }
        if !(0...1).contains(momentum) { found.append("momentum must be in [0, 1]") }
        if !(0..<1).contains(warmupFraction) { found.append("warmup-fraction must be in [0, 1)") }
        if !(mlmProbability > 0 && mlmProbability < 1) { found.append("mlm-probability must be in (0, 1)") }
        if !(itmHardnessRamp >= 0) { found.append("itm-hardness-ramp must not be negative") }
        return found
    }
}


/// ALBEF pre-training (ITC with momentum distillation and queues, ITM with hard negatives, MLM)
/// as the ``Trainer`` runs it.
///
/// Each epoch's order and each step's draws (captions, ITM negatives, MLM masks) come from the
/// seed and the step; checkpoints keep the model, the optimizer, the momentum encoders and both
/// queues. ITM fuses each caption with the batch's image tokens, so a step cannot be split by
/// rows: under data parallelism each process computes ALBEF's losses on its own share of the
/// batch (its own in-batch negatives, its own queue entries) and gradients are averaged, as
/// ALBEF's distributed code does except that its queues gather every process's features.
///
/// ```swift
/// let albef = try ALBEFPretraining(settings: ALBEFTraining(), data: ShapesDataset(split: .train, count: 4000).captioned())
/// let summary = try Trainer(method: albef, settings: albef.settings.trainer, output: folder).train()
/// ```
public final class ALBEFPretraining: TrainingMethod {
    public let settings: ALBEFTraining
    public let model: ALBEF
    /// The momentum (EMA) copies of the encoders and projections.
    public let momentumEncoders: ALBEFEncoders
    public let imageQueue: FeatureQueue, textQueue: FeatureQueue
    let data: CaptionedImages
    let groups: [Int]
    /// Moves `momentumEncoders` toward the online encoders after each step.
    let momentum: MomentumModule
    let masking: MaskedLanguageModeling

    public init(settings: ALBEFTraining, data: CaptionedImages) throws {
        if let problem = settings.problems.first { throw TrainingError.invalidSetup("albef: \(problem)") }
        self.settings = settings
        self.data = data
        groups = captionGroups(data.captions)
        model = try ALBEF(settings.model, seed: settings.seed)
        var generator = RandomGenerator(seed: settings.seed &+ 2)
        momentumEncoders = ALBEFEncoders(model.configuration, source: RandomSource(seed: 0), generator: &generator)
        // Training mode: the projections' batch normalisation centres the keys on their own batch.
        momentum = MomentumModule(online: model.encoders, target: momentumEncoders, momentum: settings.momentum)
        imageQueue = FeatureQueue(capacity: settings.queueSize, dimension: settings.model.embeddingSize)
        textQueue = FeatureQueue(capacity: settings.queueSize, dimension: settings.model.embeddingSize)
        masking = MaskedLanguageModeling(tokenizer: model.tokenizer, probability: settings.mlmProbability)
    }

    public var name: String { ALBEF.method }
    public var unit: String { "images" }
    public var usesBatchStatistics: Bool { true }
    public var modules: [(prefix: String, module: Module)] { [("", model)] }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let s = settings, batch = s.batchSize * processes
        return [TrainingStage(name: name, steps: try TrainingStage.steps(examples: data.count, batchSize: batch, epochs: s.epochs, maxSteps: s.maxSteps, what: "images"),
                              examples: data.count, batchSize: batch,
                              optimization: Optimization(learningRate: s.learningRate, weightDecay: s.weightDecay, decay: .cosine, warmup: .fraction(s.warmupFraction)),
                              orderSeed: s.seed &+ 3, stepSeed: s.seed &+ 4)]
    }

    public func plan(stage: Int, batch: StepBatch, generator: inout RandomGenerator) -> StepPlan {
        let items = batch.share.map { batch.indices[$0] }
        let texts = items.map { data.captions[$0][generator.nextInt(below: data.captions[$0].count)] }
        let falseTexts = settings.captionNegatives ? data.negativeCaptions.map { lists in
            items.map { lists[$0].isEmpty ? nil : lists[$0][generator.nextInt(below: lists[$0].count)] }
        } : nil
        let alpha = albefDistillationWeight(step: batch.step, stepsPerEpoch: data.count / batch.indices.count, final: settings.alpha)
        let hardness = albefNegativeHardness(step: batch.step, totalSteps: batch.steps, rampFraction: settings.itmHardnessRamp)
        var draws = generator
        return StepPlan(inputs: []) { _ in
            let losses = self.losses(images: items.map { self.data.images[$0] }, texts: texts, falseTexts: falseTexts, groups: items.map { self.groups[$0] },
                                     alpha: alpha, hardness: hardness, generator: &draws)
            return StepLoss(losses.itc + losses.itm + losses.mlm, parts: ["itc": losses.itc.item, "itm": losses.itm.item, "mlm": losses.mlm.item],
                            values: ["alpha": Double(alpha), "itm_hardness": Double(hardness), "itm_pairs": Double(losses.itmPairs),
                                     "temperature": Double(self.model.clampedTemperature)])
        }
    }

    public func didStep(_ step: Int) { momentum.update(step: step) }

    public func save(to folder: URL) throws { try model.save(to: folder) }

    /// The momentum encoders (parameters and buffers) and both queues.
    public func checkpointState() -> [String: Tensor] {
        var state = [String: Tensor]()
        for (name, tensor) in momentumEncoders.namedState() { state["momentum.\(name)"] = tensor }
        state["image_queue"] = imageQueue.features
        state["text_queue"] = textQueue.features
        return state
    }

    public func restore(checkpointState state: [String: Tensor]) throws {
        for (name, tensor) in momentumEncoders.namedState() {
            guard let saved = state["momentum.\(name)"], saved.shape == tensor.shape else {
                throw TrainingError.corruptCheckpoint("albef: momentum encoder \(name) is missing from the checkpoint or has the wrong shape")
            }
            tensor.assign(saved)
        }
        for (key, queue) in [("image_queue", imageQueue), ("text_queue", textQueue)] {
            guard let saved = state[key] else { throw TrainingError.corruptCheckpoint("albef: \(key) is missing from the checkpoint") }
            if saved.shape[0] > 0 { queue.enqueue(saved) }
        }
    }

    /// ALBEF's three losses on one batch; the momentum features enter the queues after the ITC loss
    /// read them. `falseTexts[i]`, when given, is a caption false of image `i` that ITM scores as
    /// one more negative pair.
    func losses(images: [Image], texts: [String], falseTexts: [String?]? = nil, groups: [Int], alpha: Float, hardness: Float,
                generator: inout RandomGenerator) -> (itc: Tensor, itm: Tensor, mlm: Tensor, itmPairs: Int) {
        let encoders = model.encoders
        let pixels = model.imageTensor(images)
        let batch = model.tokenize(texts)
        let tokens = encoders.imageTokens(pixels), states = encoders.textStates(batch)
        let image = encoders.imageFeatures(tokens), text = encoders.textFeatures(states)
        let (momentumImage, momentumText) = withoutGradient {
            (momentumEncoders.imageFeatures(momentumEncoders.imageTokens(pixels)), momentumEncoders.textFeatures(momentumEncoders.textStates(batch)))
        }

        // ITC with momentum distillation against the batch's momentum features and the queues.
        let itc = ALBEFContrastiveLoss(temperature: model.temperature)(
            image: image, text: text, momentumImage: momentumImage, momentumText: momentumText,
            imageQueue: imageQueue.count > 0 ? imageQueue.features : nil, textQueue: textQueue.count > 0 ? textQueue.features : nil, alpha: alpha)
        imageQueue.enqueue(momentumImage)
        textQueue.enqueue(momentumText)

        // ITM: every positive pair, plus one negative caption per image and one image per caption.
        let similarity = withoutGradient { image.matmul(text, transposeOther: true) / model.clampedTemperature }
        let pairs = albefMatchingPairs(similarity: similarity, groups: groups, hardness: hardness, generator: &generator)
        let b = texts.count, length = batch.tokens
        var logits = model.matchLogits(textStates: states.indexSelect(axis: 0, pairs.captions),
                                       textMask: pairs.captions.flatMap { batch.attentionMask[($0 * length)..<(($0 + 1) * length)] },
                                       imageTokens: tokens.indexSelect(axis: 0, pairs.images))
        var targets = pairs.targets
        let imagesWithFalseText = (0..<b).filter { falseTexts?[$0] != nil }
        if !imagesWithFalseText.isEmpty {
            // Their own batch (padded to their own length), fused with their images.
            let falseBatch = model.tokenize(imagesWithFalseText.map { falseTexts![$0]! })
            let falseLogits = model.matchLogits(textStates: encoders.textStates(falseBatch), textMask: falseBatch.attentionMask,
                                                imageTokens: tokens.indexSelect(axis: 0, imagesWithFalseText))
            logits = Tensor.concat([logits, falseLogits], axis: 0)
            targets += imagesWithFalseText.map { _ in 0 }
        }
        let itm = logits.crossEntropy(targets: targets)

        // MLM through the fusion encoder, conditioned on the image.
        let masked = masking.mask(ids: batch.ids, attentionMask: batch.attentionMask, generator: &generator)
        guard !masked.positions.isEmpty else { return (itc, itm, Tensor(scalar: 0), targets.count) }
        let maskedBatch = TokenBatch(ids: masked.ids, attentionMask: batch.attentionMask, tokenTypeIDs: batch.tokenTypeIDs, batch: b, tokens: length)
        let fused = model.fuse(textStates: encoders.textStates(maskedBatch), textMask: batch.attentionMask, imageTokens: tokens)
        let mlm = model.mlmLogits(fused: fused, positions: masked.positions).crossEntropy(targets: masked.labels)
        return (itc, itm, mlm, targets.count)
    }

}
