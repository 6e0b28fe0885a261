import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors
import Vision

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
/// let albef = try ALBEFPretraining(settings: TrainingSettings(method: "albef"), data: ShapesDataset(split: .train, count: 4000).captioned())
/// let summary = try Trainer(method: albef, settings: albef.settings, output: folder).train()
/// ```
public final class ALBEFPretraining: TrainingMethod {
    public let settings: TrainingSettings
    public let model: ALBEF
    /// The momentum (EMA) copies of the encoders and projections.
    public let momentumEncoders: ALBEFEncoders
    public let imageQueue: FeatureQueue, textQueue: FeatureQueue
    let data: CaptionedImages
    let groups: [Int]
    /// Moves `momentumEncoders` toward the online encoders after each step.
    let momentum: MomentumModule
    let masking: MaskedLanguageModeling

    public init(settings: TrainingSettings, data: CaptionedImages) throws {
        if let problem = settings.valueProblems.first { throw TrainingError.invalidSetup("albef: \(problem)") }
        self.settings = settings
        self.data = data
        groups = captionGroups(data.captions)
        model = try ALBEF(settings.albefShape, seed: settings.seed)
        var generator = RandomGenerator(seed: settings.seed &+ 2)
        momentumEncoders = ALBEFEncoders(model.configuration, source: RandomSource(seed: 0), generator: &generator)
        // Training mode: the projections' batch normalisation centres the keys on their own batch.
        momentum = MomentumModule(online: model.encoders, target: momentumEncoders, momentum: settings.momentum)
        imageQueue = FeatureQueue(capacity: settings.queueSize, dimension: settings.albefShape.embeddingSize)
        textQueue = FeatureQueue(capacity: settings.queueSize, dimension: settings.albefShape.embeddingSize)
        masking = MaskedLanguageModeling(tokenizer: model.tokenizer, probability: settings.mlmProbability)
    }

    public var name: String { ALBEF.method }
    public var unit: String { "images" }
    public var usesBatchStatistics: Bool { true }
    public var modules: [(prefix: String, module: Module)] { [("", model)] }
    public var momentumModules: [(prefix: String, module: Module)] { [("momentum", momentumEncoders)] }
    public var queues: [(name: String, queue: FeatureQueue)] { [("image_queue", imageQueue), ("text_queue", textQueue)] }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let s = settings, batch = s.batchSize * processes
        return [TrainingStage(name: name, steps: try TrainingStage.steps(examples: data.count, batchSize: batch, epochs: s.resolvedEpochs, maxSteps: s.maxSteps, what: "images"),
                              examples: data.count, batchSize: batch,
                              optimization: Optimization(learningRate: s.learningRate, weightDecay: s.weightDecay, decay: s.schedule, warmup: .fraction(s.warmupFraction)),
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
