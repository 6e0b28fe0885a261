import Foundation
import Models
import NeuralNetworks
import Tensors
import Vision

/// Trains an ``ImageMethod`` on unlabelled images: each step draws a batch (a fresh shuffle each
/// epoch, the last incomplete batch dropped so BatchNorm and the negatives always see a full one),
/// makes two seeded augmented views of it, and takes an AdamW step with linear warm-up and cosine
/// decay. Writes `metrics.jsonl` into the run folder as it goes, resumable checkpoints every
/// `checkpointEvery` steps or `checkpointMinutes` minutes and when stopped by SIGINT or SIGTERM,
/// and returns a summary.
///
/// Determinism: epoch `e`'s order comes from `(seed, e)` and step `s`'s augmentations from
/// `(seed, s)`; a checkpoint keeps the parameters, the optimizer, BatchNorm's statistics and the
/// method's state (MoCo's key encoder and queue), so a resumed run ends with exactly the weights
/// of an uninterrupted one.
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
    let order: EpochOrder
    /// Called after each step with (step, loss, learning rate, images per second).
    public var onStep: ((Int, Float, Float, Double) -> Void)?
    /// Called when a resumed run continues after (step, of total steps).
    public var onResume: ((Int, Int) -> Void)?

    /// What a run did.
    public struct Summary: Sendable {
        public let steps: Int
        public let finalLoss: Float
        public let seconds: Double
        /// The run had already finished when asked to resume: nothing was trained.
        public var wasComplete = false
        /// A resumed run continued after this step.
        public var resumedFrom: Int?
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
        order = EpochOrder(count: images.count, batchSize: configuration.batchSize, seed: configuration.seed ^ 0x1_3A6E_0DE5)
    }

    public var batchesPerEpoch: Int { order.batchesPerEpoch }

    /// The steps the run takes: `epochs` passes, or `maxSteps` when that comes first.
    public var totalSteps: Int { min(configuration.epochs * batchesPerEpoch, configuration.maxSteps ?? .max) }

    /// The images of step `step` (0-based): epoch `step / batchesPerEpoch` shuffled from the seed.
    func batch(at step: Int) -> [Image] { order.indices(atStep: step).map { images[$0] } }

    /// Runs every step (from the newest checkpoint when `resume` is set), then saves the encoder
    /// into `output` as an ``ImageModel`` folder.
    public func train(resume: Bool = false) throws -> Summary {
        let c = configuration
        let start = Date()
        // Biases and normalisation parameters are not decayed (vectors), as usual for AdamW.
        let parameters = method.namedTrainedParameters
        let optimizer = AdamW(groups: [ParameterGroup(parameters: parameters.filter { $0.tensor.rank > 1 }, weightDecay: c.weightDecay),
                                       ParameterGroup(parameters: parameters.filter { $0.tensor.rank <= 1 })], learningRate: c.learningRate)
        let schedule = CosineSchedule(peakLearningRate: c.learningRate, warmupSteps: min(c.warmupSteps, totalSteps - 1), totalSteps: totalSteps)
        let checkpoints = CheckpointSchedule(run: output, every: c.checkpointEvery, minutes: c.checkpointMinutes)
        var step = 0, loss: Float = .nan, resumedFrom: Int?
        switch try checkpoints.start(resume: resume, totalSteps: totalSteps) {
        case .fresh: break
        case .finished(let finished): return Summary(steps: finished, finalLoss: .nan, seconds: 0, wasComplete: true)
        case .checkpoint(let checkpoint):
            try method.restore(checkpointState: checkpoint.restore(parameters: parameters, optimizer: optimizer))
            step = checkpoint.state.step
            resumedFrom = step
            onResume?(step, totalSteps)
        }
        let log = try MetricsLog(url: output.appendingPathComponent("metrics.jsonl"))
        if resume { try log.truncate(after: step) }
        func saveCheckpoint() throws -> URL {
            let state = TrainerState(step: step, dropout: RandomGenerator(seed: c.seed), bestMetric: nil, bestStep: nil, skippedSteps: 0)
            try checkpoints.store.save(parameters: Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor) }),
                                       optimizer: optimizer.stateDict(), method: method.checkpointState(), state: state)
            return checkpoints.store.directory.appendingPathComponent("step-\(step)")
        }
        for (_, module) in method.trainedModules { module.train() }
        try Interruption.watch {
            while step < totalSteps {
                let stepStart = Date()
                let chosen = batch(at: step)
                var generator = RandomGenerator(seed: c.seed ^ 0x5EED_0F_A06, offset: UInt64(step) << 32)
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
                try checkpoints.afterStep(step, of: totalSteps, signal: Interruption.signal, saves: true, save: saveCheckpoint)
            }
        }
        let shape = method.encoder.configuration
        try ImageModel(configuration: ImageModelConfiguration(resnet: shape, method: method.name, imageSize: images[0].height, normalization: normalization),
                       encoder: method.encoder).save(to: output)
        try checkpoints.finish(step: step)
        return Summary(steps: step, finalLoss: loss, seconds: Date().timeIntervalSince(start), resumedFrom: resumedFrom)
    }
}
