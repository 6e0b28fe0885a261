import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors
import Vision

/// ALBEF pre-training (ITC with momentum distillation and queues, ITM with hard negatives, MLM)
/// as the ``Trainer`` runs it.
///
/// ITM fuses each caption with the batch's image tokens, so a step cannot be split by
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
        [try TrainingStage(name: name, examples: data.count, what: "images in \(settings.dataset)", settings: settings, processes: processes,
                           orderSeed: settings.seed &+ 3, stepSeed: settings.seed &+ 4)]
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
}
