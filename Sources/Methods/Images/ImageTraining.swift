import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors
import Vision

/// An ``ImageMethod`` on unlabelled images, as the ``Trainer`` runs it: each step makes two
/// augmented views of its batch from the step's seed; the encoder is saved as an ``ImageModel``
/// folder. (SimCLR's LARS matters for batches of thousands; at a few hundred images AdamW trains
/// as well without tuning trust ratios.)
///
/// ```swift
/// let training = try ImageTraining(ImageTraining.method(for: c, channels: 1), configuration: c, images: train.images, normalization: .fashionMNIST)
/// let summary = try Trainer(method: training, settings: c, output: run).train()
/// ```
public final class ImageTraining: TrainingMethod {
    public let method: any ImageMethod
    public let configuration: TrainingSettings
    public let images: [Image]
    public let normalization: ChannelNormalization
    public let pipeline: ImagePipeline

    public init(_ method: any ImageMethod, configuration: TrainingSettings, images: [Image], normalization: ChannelNormalization) throws {
        if let problem = configuration.valueProblems.first { throw TrainingError.invalidSetup(problem) }
        guard let first = images.first else { throw TrainingError.invalidSetup("\(configuration.dataset): no images") }
        self.method = method
        self.configuration = configuration
        self.images = images
        self.normalization = normalization
        pipeline = configuration.pipeline(size: first.height)
    }

    /// The method `settings.method` names (`simclr`, `moco`), randomly initialised from the seed,
    /// for images of `channels` channels.
    public static func method(for c: TrainingSettings, channels: Int) throws -> any ImageMethod {
        let shape = ResNetConfiguration(preset: c.encoder, channels: channels)
        switch c.method {
        case "simclr": return SimCLR(shape: shape, hiddenSize: c.hiddenSize, projectionSize: c.projectionSize, temperature: c.temperature, seed: c.seed)
        case "moco": return MoCo(shape: shape, hiddenSize: c.hiddenSize, projectionSize: c.projectionSize, temperature: c.temperature,
                                 momentum: c.momentum, queueSize: c.queueSize, seed: c.seed)
        default: throw TrainingError.invalidSetup("unknown image method '\(c.method)' (known: simclr, moco)")
        }
    }

    public var name: String { method.name }
    public var unit: String { "images" }
    public var usesBatchStatistics: Bool { true }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let seed = configuration.seed
        return [try TrainingStage(name: method.name, examples: images.count, what: "images in \(configuration.dataset)", settings: configuration, processes: processes,
                                  orderSeed: seed ^ 0x1_3A6E_0DE5, stepSeed: seed ^ 0x5EED_0F_A06)]
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
    public var momentumModules: [(prefix: String, module: Module)] { method.momentumModules }
    public var queues: [(name: String, queue: FeatureQueue)] { method.queues }

    /// The trained encoder as the model folder it saves (sharing its weights).
    public var model: ImageModel {
        ImageModel(configuration: ImageModelConfiguration(resnet: method.encoder.configuration, method: method.name, imageSize: images[0].height,
                                                          normalization: normalization), encoder: method.encoder)
    }

    public func save(to folder: URL) throws { try model.save(to: folder) }
}
