import Collectives
import Foundation
import Models
import NeuralNetworks
import Tensors

/// What the trainer reports while it runs (for progress bars and logs).
public enum TrainingEvent {
    case step(step: Int, total: Int, loss: Float, learningRate: Float, sentencesPerSecond: Double)
    case evaluation(step: Int, metrics: [String: Double])
    case checkpoint(step: Int, folder: URL)
    case skipped(step: Int, reason: String)
    /// A resumed run continues after `step` of `total`.
    case resumed(step: Int, total: Int)
}

/// The outcome of a run.
public struct TrainingSummary: Sendable {
    public var steps: Int
    public var finalLoss: Float
    public var finalMetrics: [String: Double]
    public var bestMetric: Double?
    public var bestStep: Int?
    public var skippedSteps: Int
    public var seconds: Double
    /// The run had already finished when asked to resume: nothing was trained.
    public var wasComplete = false
}

/// Runs a `TextMethod`: shuffled batches, AdamW with a schedule, evaluation every N steps keeping
/// the best model, resumable checkpoints, and a JSONL metrics log.
///
/// A run folder holds `config.json` (resolved settings), `metrics.jsonl`, `checkpoints/`, the final
/// model (a Hugging Face / sentence-transformers folder at the root) and, when evaluating, `best/`.
///
/// Determinism: the data order of epoch `e` comes from `(seed, e)`, each step's augmentation
/// stream from `(seed, step)`, and dropout from one stream saved in checkpoints, so a resumed run
/// ends with exactly the weights of an uninterrupted one.
///
/// Data parallelism: with a `communicator` of P processes (MPI), a step's batch is
/// `batchSize × P` examples; every process plans the whole batch, embeds its share of the rows,
/// and computes the loss over the embeddings gathered from all (so each sees every process's
/// negatives, and queues receive every process's keys); gradients are averaged over processes
/// before clipping and the optimizer step. P processes with `batchSize` B train as one process
/// with batch P × B, dropout masks included. Process 0 alone evaluates and writes the log,
/// checkpoints and models; on resume every process reads the checkpoint (a shared file system).
public final class TextTrainer {
    public let method: any TextMethod
    public let configuration: TrainingConfiguration
    public let examples: [TextExample]
    public let output: URL
    /// Computes evaluation metrics of the encoder (in evaluation pooling); the first key of
    /// `primaryMetric` decides the best checkpoint.
    public var evaluate: ((SentenceEncoder) throws -> [String: Double])?
    public var primaryMetric = "spearman"
    public var onEvent: ((TrainingEvent) -> Void)?
    /// The processes of a data-parallel run (one by default).
    public let communicator: any Communicator

    let optimizer: AdamW
    let parameters: [(name: String, tensor: Tensor)]
    let runner: StepRunner
    let order: EpochOrder

    public init(method: any TextMethod, configuration: TrainingConfiguration, examples: [TextExample], output: URL,
                communicator: any Communicator = SingleProcess()) throws {
        if let problem = configuration.problems.first { throw TrainingError.invalidSetup(problem) }
        let stepBatch = configuration.batchSize * communicator.size
        guard examples.count >= stepBatch else {
            throw TrainingError.invalidSetup("\(examples.count) training examples cannot fill one batch of \(stepBatch)")
        }
        self.method = method
        self.configuration = configuration
        self.examples = examples
        self.output = output
        self.communicator = communicator
        parameters = method.trainableParameters
        optimizer = AdamW(parameters: parameters, learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        order = EpochOrder(count: examples.count, batchSize: configuration.batchSize * communicator.size, seed: configuration.seed ^ 0xDA7A_0DE5)
        runner = StepRunner(source: method.encoder.model.source, gradientCacheChunk: configuration.gradientCacheChunk, communicator: communicator)
    }

    /// Examples per optimizer step, over all processes.
    public var stepBatchSize: Int { configuration.batchSize * communicator.size }

    /// Batches per epoch (the last, incomplete batch of an epoch is dropped so every batch has
    /// the same number of in-batch negatives).
    public var stepsPerEpoch: Int { order.batchesPerEpoch }

    /// Optimizer steps in the whole run.
    public var totalSteps: Int { configuration.maxSteps ?? configuration.epochs * stepsPerEpoch }

    var schedule: any LearningRateSchedule {
        let c = configuration
        switch c.schedule {
        case .constant: return ConstantSchedule(learningRate: c.learningRate, warmupSteps: c.warmupSteps)
        case .linear: return LinearSchedule(peakLearningRate: c.learningRate, warmupSteps: c.warmupSteps, totalSteps: totalSteps)
        case .cosine: return CosineSchedule(peakLearningRate: c.learningRate, warmupSteps: c.warmupSteps, totalSteps: totalSteps)
        }
    }

    /// The examples of step `step` (0-based), over all processes.
    func batch(at step: Int) -> [TextExample] { order.indices(atStep: step).map { examples[$0] } }

    /// Trains to the end, starting from the newest checkpoint when `resume` is set.
    @discardableResult
    public func train(resume: Bool = false) throws -> TrainingSummary {
        try withMatmulPrecision(configuration.precision) { try trainInCurrentPrecision(resume: resume) }
    }

    private func trainInCurrentPrecision(resume: Bool) throws -> TrainingSummary {
        let started = ContinuousClock.now
        let checkpoints = CheckpointSchedule(run: output, every: configuration.checkpointEvery, minutes: configuration.checkpointMinutes)
        let root = communicator.isRoot
        var state = TrainerState(step: 0, dropout: method.encoder.model.source.snapshot(), bestMetric: nil, bestStep: nil, skippedSteps: 0)
        switch try checkpoints.start(resume: resume, totalSteps: totalSteps) {
        case .fresh: break
        case .finished(let step):
            return TrainingSummary(steps: step, finalLoss: .nan, finalMetrics: [:], bestMetric: nil, bestStep: nil, skippedSteps: 0,
                                   seconds: 0, wasComplete: true)
        case .checkpoint(let checkpoint):
            try restore(checkpoint)
            state = checkpoint.state
            onEvent?(.resumed(step: state.step, total: totalSteps))
        }
        let log = root ? try MetricsLog(url: output.appendingPathComponent("metrics.jsonl")) : nil
        if resume { try log?.truncate(after: state.step) }
        // As PyTorch's DistributedDataParallel does: every process starts from process 0's weights.
        communicator.broadcast(parameters.map(\.tensor))
        var lastLoss: Float = .nan
        var final: [String: Double] = [:]
        func saveCheckpoint() throws -> URL {
            state.dropout = method.encoder.model.source.snapshot()
            try checkpoints.store.save(parameters: namedTensors(), optimizer: optimizer.stateDict(), method: method.checkpointState(), state: state)
            let folder = checkpoints.store.directory.appendingPathComponent("step-\(state.step)")
            onEvent?(.checkpoint(step: state.step, folder: folder))
            return folder
        }
        method.setTraining(true)
        try Interruption.watch {
            while state.step < totalSteps {
                let step = state.step
                let stepStart = ContinuousClock.now
                optimizer.learningRate = schedule.learningRate(at: step)
                var generator = RandomGenerator(seed: configuration.seed ^ 0xA06_3E47, offset: UInt64(step) << 32)
                optimizer.zeroGrad()
                let loss = runner.loss(method.plan(batch(at: step), generator: &generator))
                lastLoss = loss.item
                // Gradient caching back-propagates inside the runner and returns a plain value.
                if loss.requiresGrad { loss.backward() }
                // The same mean on every process, so all take the same step (or all skip it).
                communicator.averageGradients(parameters.map(\.tensor))
                var gradientNorm: Float?
                if let bad = nonFinite(loss: lastLoss) {
                    guard !configuration.stopOnNonFinite else { throw TrainingError.nonFinite(step: step + 1, tensor: bad) }
                    state.skippedSteps += 1
                    try log?.append(["step": .int(step + 1), "skipped": .int(state.skippedSteps)])
                    onEvent?(.skipped(step: step + 1, reason: "non-finite \(bad)"))
                } else {
                    if let maxNorm = configuration.maxGradientNorm { gradientNorm = clipGradientNorm(parameters.map(\.tensor), maxNorm: maxNorm) }
                    optimizer.step()
                    method.didStep(step)
                }
                state.step += 1
                let seconds = (ContinuousClock.now - stepStart).seconds
                let rate = Double(stepBatchSize) / seconds
                var record: [String: MetricsLog.Value] = ["step": .int(state.step), "loss": .double(Double(lastLoss)),
                                                         "lr": .double(Double(optimizer.learningRate)), "sentences_per_s": .double(rate)]
                if let rss = ProcessMemory.residentMegabytes { record["rss_mb"] = .double(rss) }
                // Before clipping: what the step's batch asked for.
                if let gradientNorm { record["grad_norm"] = .double(Double(gradientNorm)) }
                try log?.append(record)
                onEvent?(.step(step: state.step, total: totalSteps, loss: lastLoss, learningRate: optimizer.learningRate, sentencesPerSecond: rate))
                if let log, let every = configuration.evaluateEvery, state.step % every == 0, state.step < totalSteps {
                    try evaluateAndKeepBest(&state, log: log)
                }
                // Only process 0 writes checkpoints; every process stops after the same step on a signal.
                try checkpoints.afterStep(state.step, of: totalSteps, signal: agreedInterruption(), saves: root, save: saveCheckpoint)
            }
        }
        if let log {
            if evaluate != nil { final = try evaluateAndKeepBest(&state, log: log) }
            try saveModel(to: output)
            try checkpoints.finish(step: state.step)
        }
        return TrainingSummary(steps: state.step, finalLoss: lastLoss, finalMetrics: final, bestMetric: state.bestMetric,
                               bestStep: state.bestStep, skippedSteps: state.skippedSteps, seconds: (ContinuousClock.now - started).seconds)
    }

    /// The signal any process received during this step, agreed on by all of them (one small
    /// collective per step in a data-parallel run).
    func agreedInterruption() -> Int32? {
        guard communicator.size > 1 else { return Interruption.signal }
        var received: [Float] = [Interruption.signal == SIGINT ? 1 : 0, Interruption.signal == SIGTERM ? 1 : 0]
        communicator.allReduceSum(&received)
        return received[1] > 0 ? SIGTERM : received[0] > 0 ? SIGINT : nil
    }

    /// Evaluates, logs, and saves `best/` when the primary metric improved.
    @discardableResult
    func evaluateAndKeepBest(_ state: inout TrainerState, log: MetricsLog) throws -> [String: Double] {
        guard let evaluate else { return [:] }
        let encoder = method.encoder
        let trainingMode = encoder.pooling.mode
        encoder.pooling.mode = configuration.evaluationPooling
        defer { encoder.pooling.mode = trainingMode; method.setTraining(true) }
        let metrics = try evaluate(encoder)
        try log.append(["step": .int(state.step)].merging(metrics.mapValues { .double($0) }) { a, _ in a })
        onEvent?(.evaluation(step: state.step, metrics: metrics))
        if let value = metrics[primaryMetric], value > (state.bestMetric ?? -.infinity) {
            state.bestMetric = value
            state.bestStep = state.step
            try saveModel(to: output.appendingPathComponent("best"))
        }
        return metrics
    }

    /// Saves the encoder with its evaluation pooling as a model folder.
    func saveModel(to folder: URL) throws {
        let encoder = method.encoder
        let trainingMode = encoder.pooling.mode
        encoder.pooling.mode = configuration.evaluationPooling
        defer { encoder.pooling.mode = trainingMode }
        try encoder.save(to: folder)
    }

    /// Trainable parameters by checkpoint name.
    func namedTensors() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor) })
    }

    func restore(_ checkpoint: Checkpoint) throws {
        try method.restore(checkpointState: checkpoint.restore(parameters: parameters, optimizer: optimizer))
        method.encoder.model.source.restore(checkpoint.state.dropout)
    }

    /// The name of the first non-finite value among the loss and the gradients, if any.
    func nonFinite(loss: Float) -> String? {
        if !loss.isFinite { return "the loss" }
        for (name, tensor) in parameters {
            guard let grad = tensor.grad else { continue }
            if grad.withUnsafeBufferPointer({ $0.contains { !$0.isFinite } }) { return "the gradient of \(name)" }
        }
        return nil
    }
}
