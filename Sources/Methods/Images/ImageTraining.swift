import Foundation
import Models
import NeuralNetworks
import Tensors
import Vision

/// An ``ImageMethod`` on unlabelled images, as the ``Trainer`` runs it: each step draws a batch
/// (a fresh shuffle each epoch, the last incomplete batch dropped so BatchNorm and the negatives
/// always see a full one), makes two seeded augmented views of it, and takes an AdamW step with
/// linear warm-up and cosine decay; the encoder is saved as an ``ImageModel`` folder.
///
/// Determinism: epoch `e`'s order comes from `(seed, e)` and step `s`'s augmentations from
/// `(seed, s)`; checkpoints keep the modules (BatchNorm's statistics included), the optimizer
/// and the method's state (MoCo's key encoder and queue).
///
/// SimCLR's LARS optimizer matters for batches of thousands; at a few hundred images AdamW
/// trains as well and needs no tuning of trust ratios.
///
/// ```swift
/// let training = try ImageTraining(simclr, configuration: c, images: train.images, normalization: .fashionMNIST)
/// let summary = try Trainer(method: training, settings: c.trainer, output: run).train()
/// ```
public final class ImageTraining: TrainingMethod {
    public let method: any ImageMethod
    public let configuration: ImageTrainingConfiguration
    public let images: [Image]
    public let normalization: ChannelNormalization
    public let pipeline: ImagePipeline

    public init(_ method: any ImageMethod, configuration: ImageTrainingConfiguration, images: [Image], normalization: ChannelNormalization) throws {
        if let problem = configuration.problems.first { throw TrainingError.invalidSetup(problem) }
        guard let first = images.first else { throw TrainingError.invalidSetup("\(configuration.dataset): no images") }
        self.method = method
        self.configuration = configuration
        self.images = images
        self.normalization = normalization
        pipeline = configuration.pipeline(size: first.height)
    }

    public var name: String { method.name }
    public var unit: String { "images" }
    public var usesBatchStatistics: Bool { true }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let c = configuration, batch = c.batchSize * processes
        return [TrainingStage(name: method.name, steps: try TrainingStage.steps(examples: images.count, batchSize: batch, epochs: c.epochs, maxSteps: c.maxSteps, what: "images"),
                              examples: images.count, batchSize: batch,
                              optimization: Optimization(learningRate: c.learningRate, weightDecay: c.weightDecay, decay: .cosine, warmup: .steps(c.warmupSteps)),
                              orderSeed: c.seed ^ 0x1_3A6E_0DE5, stepSeed: c.seed ^ 0x5EED_0F_A06)]
    }

    public var modules: [(prefix: String, module: Module)] { method.trainedModules.map { ($0.name, $0.module) } }

    /// Two augmented views of the batch (every process makes the whole batch's, from the step's seed).
    public func plan(stage: Int, batch: StepBatch, generator: inout RandomGenerator) -> StepPlan {
        let chosen = batch.indices.map { images[$0] }
        let first = Tensor(images: pipeline.views(of: chosen, generator: &generator), normalization: normalization)
        let second = Tensor(images: pipeline.views(of: chosen, generator: &generator), normalization: normalization)
        return method.plan(first, second, shares: batch.shares)
    }

    public func didStep(_ step: Int) { method.afterStep(step + 1) }
    public func checkpointState() -> [String: Tensor] { method.checkpointState() }
    public func restore(checkpointState: [String: Tensor]) throws { try method.restore(checkpointState: checkpointState) }

    public func save(to folder: URL) throws {
        let configuration = ImageModelConfiguration(resnet: method.encoder.configuration, method: method.name, imageSize: images[0].height,
                                                    normalization: normalization)
        try ImageModel(configuration: configuration, encoder: method.encoder).save(to: folder)
    }
}
