import Foundation
import Models
import NeuralNetworks
import Tensors
import Vision

/// Trains an ``ImageMethod`` on unlabelled images: each step draws a batch (a fresh shuffle each
/// epoch, the last incomplete batch dropped so BatchNorm and the negatives always see a full one),
/// makes two seeded augmented views of it, and takes an AdamW step with linear warm-up and cosine
/// decay. Writes `metrics.jsonl` into the run folder as it goes and returns a summary.
///
/// SimCLR's LARS optimizer matters for batches of thousands; at a few hundred images AdamW
/// trains as well and needs no tuning of trust ratios.
///
/// ```swift
/// let trainer = try ImageTrainer(method: simclr, configuration: c, images: train.images,
///                                normalization: .fashionMNIST, pipeline: .simCLR(size: 28), output: run)
/// let summary = try trainer.train()
/// ```
public final class ImageTrainer {
    public let method: any ImageMethod
    public let configuration: ImageTrainingConfiguration
    public let images: [Image]
    public let normalization: ChannelNormalization
    public let pipeline: ImagePipeline
    public let output: URL
    /// Called after each step with (step, loss, learning rate, images per second).
    public var onStep: ((Int, Float, Float, Double) -> Void)?

    /// What a run did.
    public struct Summary: Sendable {
        public let steps: Int
        public let finalLoss: Float
        public let seconds: Double
    }

    public init(method: any ImageMethod, configuration: ImageTrainingConfiguration, images: [Image], normalization: ChannelNormalization,
                pipeline: ImagePipeline, output: URL) throws {
        if let problem = configuration.problems.first { throw TrainingError.invalidSetup(problem) }
        guard images.count >= configuration.batchSize else {
            throw TrainingError.invalidSetup("\(images.count) images cannot make one batch of \(configuration.batchSize)")
        }
        self.method = method
        self.configuration = configuration
        self.images = images
        self.normalization = normalization
        self.pipeline = pipeline
        self.output = output
    }

    public var batchesPerEpoch: Int { images.count / configuration.batchSize }

    /// The steps the run takes: `epochs` passes, or `maxSteps` when that comes first.
    public var totalSteps: Int { min(configuration.epochs * batchesPerEpoch, configuration.maxSteps ?? .max) }

    /// Runs every step, then saves the encoder into `output` as an ``ImageModel`` folder.
    public func train() throws -> Summary {
        let c = configuration
        let log = try MetricsLog(url: output.appendingPathComponent("metrics.jsonl"))
        // Biases and normalisation parameters are not decayed (vectors), as usual for AdamW.
        let parameters = method.namedTrainedParameters
        let optimizer = AdamW(groups: [ParameterGroup(parameters: parameters.filter { $0.tensor.rank > 1 }, weightDecay: c.weightDecay),
                                       ParameterGroup(parameters: parameters.filter { $0.tensor.rank <= 1 })], learningRate: c.learningRate)
        let schedule = CosineSchedule(peakLearningRate: c.learningRate, warmupSteps: min(c.warmupSteps, totalSteps - 1), totalSteps: totalSteps)
        for (_, module) in method.trainedModules { module.train() }
        var generator = RandomGenerator(seed: c.seed)
        let start = Date()
        var step = 0, loss: Float = .nan
        training: while true {
            let order = generator.shuffled(Array(images.indices))
            for batch in 0..<batchesPerEpoch {
                guard step < totalSteps else { break training }
                let stepStart = Date()
                let chosen = order[(batch * c.batchSize)..<((batch + 1) * c.batchSize)].map { images[$0] }
                let first = Tensor(images: pipeline.views(of: chosen, generator: &generator), normalization: normalization)
                let second = Tensor(images: pipeline.views(of: chosen, generator: &generator), normalization: normalization)
                optimizer.zeroGrad()
                let value = method.loss(first, second)
                loss = value.item
                guard loss.isFinite else { throw TrainingError.nonFinite(step: step + 1, tensor: "the loss") }
                value.backward()
                optimizer.learningRate = schedule.learningRate(at: step)
                optimizer.step()
                step += 1
                method.afterStep(step)
                let rate = Double(c.batchSize) / max(Date().timeIntervalSince(stepStart), 1e-9)
                try log.append(["step": .int(step), "loss": .double(Double(loss)), "lr": .double(Double(optimizer.learningRate)),
                                "images_per_s": .double(rate)])
                onStep?(step, loss, optimizer.learningRate, rate)
            }
        }
        let shape = method.encoder.configuration
        try ImageModel(configuration: ImageModelConfiguration(resnet: shape, method: method.name, imageSize: images[0].height, normalization: normalization),
                       encoder: method.encoder).save(to: output)
        return Summary(steps: step, finalLoss: loss, seconds: Date().timeIntervalSince(start))
    }
}
