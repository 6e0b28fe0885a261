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
public struct ALBEFTraining: Sendable, Equatable, Codable {
    public var method = ALBEF.method
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
    /// Write a resumable checkpoint every N steps; `nil`: by time only.
    public var checkpointEvery: Int?
    /// Write a resumable checkpoint when this many minutes have passed since the last one;
    /// `nil`: by steps only. A run stopped by SIGINT or SIGTERM writes one either way.
    public var checkpointMinutes: Double? = 10

    public init() {}


    func validate(imageCount: Int) throws {
        guard epochs > 0, batchSize >= 2, learningRate > 0, queueSize > 0, (0...1).contains(alpha), (0...1).contains(momentum),
              (0..<1).contains(warmupFraction), itmHardnessRamp >= 0, mlmProbability > 0 && mlmProbability < 1, maxSteps.map({ $0 > 0 }) ?? true else {
            throw TrainingError.invalidSetup("ALBEF: invalid settings (epochs, max steps and queue must be positive, batch at least 2, alpha and momentum in [0, 1], ITM hardness ramp not negative)")
        }
        guard imageCount >= batchSize else {
            throw TrainingError.invalidSetup("ALBEF: \(imageCount) images cannot make one batch of \(batchSize)")
        }
    }
}

extension ALBEFTraining: RunSettings {
    public static let changeableOnResume: Set<String> = ["epochs", "maxSteps", "checkpointEvery", "checkpointMinutes"]
}

/// Trains an ``ALBEF`` model with ITC (momentum distillation, queues), ITM (hard negatives) and MLM.
///
/// Each epoch's order and each step's draws (captions, ITM negatives, MLM masks) come from the
/// seed and the step; checkpoints keep the model, the optimizer, the momentum encoders and both
/// queues, so a resumed run ends with exactly the weights of an uninterrupted one.
///
/// ```swift
/// let trainer = try ALBEFTrainer(settings: ALBEFTraining(), data: ShapesDataset(split: .train, count: 4000).captioned())
/// let summary = try trainer.train(run: folder)   // metrics.jsonl, checkpoints/ and the model
/// ```
public final class ALBEFTrainer {
    /// One step's losses, for progress and logs.
    public struct Step: Sendable {
        public let step: Int, totalSteps: Int
        public let loss: Float, itc: Float, itm: Float, mlm: Float
        /// Image-caption pairs the ITM loss scored: the batch's matched pairs and the negatives.
        public let itmPairs: Int
        public let alpha: Float, learningRate: Float, temperature: Float
    }

    /// What a finished run reports.
    public struct Summary: Sendable {
        public let steps: Int
        public let finalLoss: Float
        public let seconds: Double
        /// The run had already finished when asked to resume: nothing was trained.
        public var wasComplete = false
    }

    public let settings: ALBEFTraining
    public let model: ALBEF
    /// The momentum (EMA) copies of the encoders and projections.
    public let momentumEncoders: ALBEFEncoders
    public let imageQueue: FeatureQueue, textQueue: FeatureQueue
    let data: CaptionedImages
    let groups: [Int]
    /// Moves `momentumEncoders` toward the online encoders after each step.
    let momentum: MomentumModule
    /// Called after every step.
    public var onStep: ((Step) -> Void)?
    /// Called when a resumed run continues after (step, of total steps).
    public var onResume: ((Int, Int) -> Void)?

    public init(settings: ALBEFTraining, data: CaptionedImages) throws {
        try settings.validate(imageCount: data.count)
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
    }

    /// Steps in one epoch (the last, partial batch is dropped).
    public var stepsPerEpoch: Int { data.count / settings.batchSize }

    /// Steps of the whole run.
    public var totalSteps: Int { min(stepsPerEpoch * settings.epochs, settings.maxSteps ?? .max) }

    /// Runs every step (from the newest checkpoint in `run` when `resume` is set), writing
    /// `metrics.jsonl`, checkpoints and finally the model into `run`; without `run`, only trains.
    public func train(run: URL?, resume: Bool = false) throws -> Summary {
        let start = Date()
        let total = totalSteps
        let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        let schedule = CosineSchedule(peakLearningRate: settings.learningRate, warmupSteps: Int(Float(total) * settings.warmupFraction), totalSteps: total)
        let masking = MaskedLanguageModeling(tokenizer: model.tokenizer, probability: settings.mlmProbability)
        let order = EpochOrder(count: data.count, batchSize: settings.batchSize, seed: settings.seed &+ 3)
        let checkpoints = run.map { CheckpointSchedule(run: $0, every: settings.checkpointEvery, minutes: settings.checkpointMinutes) }
        var step = 0, lastLoss: Float = .nan
        switch try checkpoints?.start(resume: resume, totalSteps: total) ?? .fresh {
        case .fresh: break
        case .finished(let finished): return Summary(steps: finished, finalLoss: .nan, seconds: 0, wasComplete: true)
        case .checkpoint(let checkpoint):
            try restore(checkpoint.restore(parameters: model.namedState(), optimizer: optimizer))
            step = checkpoint.state.step
            onResume?(step, total)
        }
        let log = try run.map { try MetricsLog(url: $0.appendingPathComponent("metrics.jsonl")) }
        if resume { try log?.truncate(after: step) }
        model.train()
        try Interruption.watch {
            while step < total {
                let stepStart = ContinuousClock.now
                var generator = RandomGenerator(seed: settings.seed &+ 4, offset: UInt64(step) << 32)
                let items = Array(order.indices(atStep: step))
                let texts = items.map { data.captions[$0][generator.nextInt(below: data.captions[$0].count)] }
                let falseTexts = settings.captionNegatives ? data.negativeCaptions.map { lists in
                    items.map { lists[$0].isEmpty ? nil : lists[$0][generator.nextInt(below: lists[$0].count)] }
                } : nil
                optimizer.learningRate = schedule.learningRate(at: step)
                let alpha = albefDistillationWeight(step: step, stepsPerEpoch: stepsPerEpoch, final: settings.alpha)
                let hardness = albefNegativeHardness(step: step, totalSteps: total, rampFraction: settings.itmHardnessRamp)
                let losses = self.losses(images: items.map { data.images[$0] }, texts: texts, falseTexts: falseTexts, groups: items.map { groups[$0] },
                                         alpha: alpha, hardness: hardness, masking: masking, generator: &generator)
                let loss = losses.itc + losses.itm + losses.mlm
                lastLoss = loss.item
                guard lastLoss.isFinite else { throw TrainingError.nonFinite(step: step + 1, tensor: "loss") }
                model.zeroGrad()
                loss.backward()
                optimizer.step()
                momentum.update(step: step)
                step += 1
                let report = Step(step: step, totalSteps: total, loss: lastLoss, itc: losses.itc.item, itm: losses.itm.item, mlm: losses.mlm.item, itmPairs: losses.itmPairs,
                                  alpha: alpha, learningRate: optimizer.learningRate, temperature: model.clampedTemperature)
                try log?.append(["step": .int(step), "loss": .double(Double(report.loss)), "itc_loss": .double(Double(report.itc)),
                                 "itm_loss": .double(Double(report.itm)), "mlm_loss": .double(Double(report.mlm)), "alpha": .double(Double(alpha)), "itm_hardness": .double(Double(hardness)),
                                 "itm_pairs": .int(report.itmPairs),
                                 "lr": .double(Double(report.learningRate)), "temperature": .double(Double(report.temperature)),
                                 "images_per_s": .double(Double(settings.batchSize) / (ContinuousClock.now - stepStart).seconds)])
                onStep?(report)
                try checkpoints?.afterStep(step, of: total, signal: Interruption.signal, saves: true) {
                    let state = TrainerState(step: step, dropout: RandomGenerator(seed: settings.seed), bestMetric: nil, bestStep: nil, skippedSteps: 0)
                    try checkpoints!.store.save(parameters: model.stateDict(), optimizer: optimizer.stateDict(), method: checkpointState(), state: state)
                    return checkpoints!.store.directory.appendingPathComponent("step-\(step)")
                }
            }
        }
        model.eval()
        if let run {
            try model.save(to: run)
            try checkpoints?.finish(step: step)
        }
        return Summary(steps: step, finalLoss: lastLoss, seconds: Date().timeIntervalSince(start))
    }

    /// The momentum encoders (parameters and buffers) and both queues.
    func checkpointState() -> [String: Tensor] {
        var state = [String: Tensor]()
        for (name, tensor) in momentumEncoders.namedState() { state["momentum.\(name)"] = tensor }
        state["image_queue"] = imageQueue.features
        state["text_queue"] = textQueue.features
        return state
    }

    /// Restores what ``checkpointState()`` saved.
    func restore(_ state: [String: Tensor]) throws {
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
                masking: MaskedLanguageModeling, generator: inout RandomGenerator) -> (itc: Tensor, itm: Tensor, mlm: Tensor, itmPairs: Int) {
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
