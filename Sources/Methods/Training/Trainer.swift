import Collectives
import Foundation
import NeuralNetworks
import Tensors

/// What the trainer reports while it runs (for progress bars and logs).
public enum TrainingEvent {
    /// Stage `index` (named `name`, `steps` long) starts or, on resume, continues.
    case stage(index: Int, name: String, steps: Int)
    case step(StepReport)
    case evaluation(step: Int, metrics: [String: Double])
    case checkpoint(step: Int, folder: URL)
    case skipped(step: Int, reason: String)
    /// A resumed run continues after `step` of `total`.
    case resumed(step: Int, total: Int)
}

/// One finished step.
public struct StepReport: Sendable {
    /// Steps of the whole run done, of `total`.
    public var step: Int, total: Int
    /// The stage (its position and name), and the steps done of it.
    public var stageIndex: Int, stage: String, stageStep: Int, stageSteps: Int
    public var loss: Float
    /// The named parts of the loss (``StepLoss/parts``).
    public var parts: [String: Float]
    /// The method's other logged values (``StepLoss/values``).
    public var values: [String: Double]
    public var learningRate: Float
    /// Examples (``TrainingMethod/unit``) per second, over all processes.
    public var examplesPerSecond: Double
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

/// Runs any ``TrainingMethod`` (open_clip's `train_one_epoch`, sentence-transformers' trainer):
/// its stages in order, each with AdamW and its schedule over seeded batches; gradient clipping,
/// one non-finite policy, bf16 products, gradient caching and MPI data parallelism; evaluation
/// every N steps keeping `best/`; checkpoints and exact resume; `metrics.jsonl`; and finally the
/// method's model saved into `output`.
///
/// Determinism: the data order of each stage's epoch `e` comes from `(stage seed, e)`, each
/// step's random draws from `(stage seed, step)`, dropout from one stream saved in checkpoints,
/// and checkpoints keep every module's parameters and buffers, the optimizer and the method's
/// state, so a resumed run ends with exactly the weights of an uninterrupted one.
///
/// Data parallelism: with a `communicator` of P processes (MPI), a step's batch holds the
/// stage's batch size over all processes; every process plans the whole batch, embeds its share
/// of each input's rows and computes the losses over the embeddings gathered from all (so each
/// sees every process's negatives); gradients are averaged over processes before clipping and
/// the optimizer step. Without batch statistics, P processes train as one process with the whole
/// batch. Process 0's buffers (BatchNorm's running statistics) are broadcast before each step,
/// as DistributedDataParallel does. Process 0 alone evaluates and writes the log, checkpoints and
/// model; on resume every process reads the checkpoint (a shared file system).
///
/// ```swift
/// let trainer = try Trainer(method: TextTraining(SimCSE(...), configuration: c, examples: examples), settings: c, output: run)
/// let summary = try trainer.train()
/// ```
public final class Trainer {
    public let method: any TrainingMethod
    public let settings: TrainingSettings
    /// The run folder written (settable so that a trainer can check its method and data before
    /// the folder is opened).
    public var output: URL
    public let communicator: any Communicator
    public let stages: [TrainingStage]
    /// Computes evaluation metrics of the model (in evaluation mode); `primaryMetric` decides
    /// the best checkpoint, saved as `best/`.
    public var evaluate: (() throws -> [String: Double])?
    public var primaryMetric = "spearman"
    /// Evaluate every this many steps (and at the end); `settings.evaluateEvery` unless a method's
    /// command sets a default of its own (image-text runs with a validation split).
    public var evaluateEvery: Int?
    public var onEvent: ((TrainingEvent) -> Void)?
    let runner: StepRunner

    public init(method: any TrainingMethod, settings: TrainingSettings, output: URL, communicator: any Communicator = SingleProcess()) throws {
        if settings.gradientCacheChunk != nil && method.usesBatchStatistics {
            throw TrainingError.invalidSetup("\(method.name): gradient caching would normalise each chunk with its own BatchNorm statistics; train without it")
        }
        self.method = method
        self.settings = settings
        self.output = output
        self.communicator = communicator
        stages = try method.stages(processes: communicator.size)
        if let stage = stages.first(where: { $0.batchSize < communicator.size }) {
            throw TrainingError.invalidSetup("\(method.name): a batch of \(stage.batchSize) cannot be shared by \(communicator.size) processes")
        }
        evaluateEvery = settings.evaluateEvery
        runner = StepRunner(source: method.randomSource, gradientCacheChunk: settings.gradientCacheChunk, communicator: communicator)
    }

    /// Optimizer steps in the whole run (all stages).
    public var totalSteps: Int { stages.map(\.steps).reduce(0, +) }

    /// Trains to the end, starting from the newest checkpoint when `resume` is set.
    @discardableResult
    public func train(resume: Bool = false) throws -> TrainingSummary {
        try withMatmulPrecision(settings.precision) { try trainInCurrentPrecision(resume: resume) }
    }

    private func trainInCurrentPrecision(resume: Bool) throws -> TrainingSummary {
        let started = ContinuousClock.now
        let checkpoints = CheckpointSchedule(run: output, every: settings.checkpointEvery, minutes: settings.checkpointMinutes.flatMap { $0 > 0 ? $0 : nil })
        let root = communicator.isRoot
        var state = TrainerState(step: 0, dropout: method.randomSource?.snapshot(), bestMetric: nil, bestStep: nil, skippedSteps: 0)
        var savedOptimizer: [String: Tensor]?
        switch try checkpoints.start(resume: resume, totalSteps: totalSteps) {
        case .fresh: break
        case .finished(let step):
            return TrainingSummary(steps: step, finalLoss: .nan, finalMetrics: [:], bestMetric: nil, bestStep: nil, skippedSteps: 0,
                                   seconds: 0, wasComplete: true)
        case .checkpoint(let checkpoint):
            try checkpoint.restore(method.state(of: method.modules), from: "model.safetensors")
            try checkpoint.restore(method.state(of: method.momentumModules), queues: method.queues, from: "method.safetensors")
            if let dropout = checkpoint.state.dropout { method.randomSource?.restore(dropout) }
            savedOptimizer = try checkpoint.tensors("optimizer.safetensors")
            state = checkpoint.state
            onEvent?(.resumed(step: state.step, total: totalSteps))
        }
        let log = root ? try MetricsLog(url: output.appendingPathComponent("metrics.jsonl")) : nil
        if resume { try log?.truncate(after: state.step) }
        // As PyTorch's DistributedDataParallel does: every process starts from process 0's weights.
        communicator.broadcast(method.state(of: method.modules).map(\.tensor))
        let buffers = method.modules.flatMap { $0.module.namedBuffers().map(\.tensor) }
        var lastLoss: Float = .nan
        try Interruption.watch {
            var first = 0
            for (index, stage) in stages.enumerated() {
                defer { first += stage.steps }
                guard state.step < first + stage.steps else { continue }
                method.begin(stage: index)
                let parameters = method.trainableParameters
                let optimizer = AdamW(parameters: parameters, learningRate: stage.learningRate, weightDecay: stage.weightDecay)
                // A checkpoint inside this stage holds its optimizer; one at its start, the previous stage's.
                if let saved = savedOptimizer {
                    if state.step > first { try optimizer.load(stateDict: saved) }
                    savedOptimizer = nil
                }
                let schedule = stage.schedule
                let order = EpochOrder(count: stage.examples, batchSize: stage.batchSize, seed: stage.orderSeed)
                func saveCheckpoint() throws -> URL {
                    state.dropout = method.randomSource?.snapshot()
                    let queues = method.queues.map { ($0.name, $0.queue.features) }
                    try checkpoints.store.save(parameters: Dictionary(uniqueKeysWithValues: method.state(of: method.modules).map { ($0.name, $0.tensor) }),
                                               optimizer: optimizer.stateDict(),
                                               method: Dictionary(uniqueKeysWithValues: method.state(of: method.momentumModules).map { ($0.name, $0.tensor) } + queues), state: state)
                    let folder = checkpoints.store.directory.appendingPathComponent("step-\(state.step)")
                    onEvent?(.checkpoint(step: state.step, folder: folder))
                    return folder
                }
                method.setTraining(true)
                onEvent?(.stage(index: index, name: stage.name, steps: stage.steps))
                while state.step < first + stage.steps {
                    let step = state.step, local = step - first
                    let stepStart = ContinuousClock.now
                    optimizer.learningRate = schedule.learningRate(at: local)
                    var generator = RandomGenerator(seed: stage.stepSeed, offset: UInt64(local) << 32)
                    optimizer.zeroGrad()
                    communicator.broadcast(buffers)
                    let indices = Array(order.indices(atStep: local))
                    let plan = method.plan(stage: index, batch: batch(indices, step: local, of: stage.steps), generator: &generator)
                    var loss = runner.loss(plan)
                    // Gradient caching back-propagates inside the runner and returns a plain value.
                    if loss.total.requiresGrad { loss.total.backward() }
                    // The same mean on every process, so all take the same step (or all skip it).
                    communicator.averageGradients(parameters.map(\.tensor))
                    lastLoss = loss.total.item
                    if plan.inputs.isEmpty { (lastLoss, loss.parts) = agreed(lastLoss, loss.parts) }
                    var norm: Float?
                    if let bad = nonFinite(loss: lastLoss, parameters) {
                        guard settings.skipNonFinite else { throw TrainingError.nonFinite(step: step + 1, tensor: bad) }
                        state.skippedSteps += 1
                        try log?.append(["step": .int(step + 1), "skipped": .int(state.skippedSteps)])
                        onEvent?(.skipped(step: step + 1, reason: "non-finite \(bad)"))
                    } else {
                        let tensors = parameters.map(\.tensor)
                        norm = settings.maxGradientNorm.map { clipGradientNorm(tensors, maxNorm: $0) } ?? gradientNorm(tensors)
                        optimizer.step()
                        method.didStep(step)
                    }
                    state.step += 1
                    let report = StepReport(step: state.step, total: totalSteps, stageIndex: index, stage: stage.name, stageStep: local + 1, stageSteps: stage.steps,
                                            loss: lastLoss, parts: loss.parts, values: loss.values, learningRate: optimizer.learningRate,
                                            examplesPerSecond: Double(stage.batchSize) / (ContinuousClock.now - stepStart).seconds)
                    // Before clipping: what the step's batch asked for.
                    try log?.append(record(report, stages: stages.count, gradientNorm: norm))
                    onEvent?(.step(report))
                    if let log, let every = evaluateEvery, state.step % every == 0, state.step < totalSteps {
                        try evaluateAndKeepBest(&state, log: log)
                    }
                    // Only process 0 writes checkpoints; every process stops after the same step on a signal.
                    try checkpoints.afterStep(state.step, of: totalSteps, signal: agreedInterruption(), saves: root, save: saveCheckpoint)
                }
            }
        }
        var final: [String: Double] = [:]
        if let log {
            if evaluate != nil { final = try evaluateAndKeepBest(&state, log: log) }
            method.setTraining(false)
            try method.save(to: output)
            try checkpoints.finish(step: state.step)
        }
        method.setTraining(false)
        return TrainingSummary(steps: state.step, finalLoss: lastLoss, finalMetrics: final, bestMetric: state.bestMetric,
                               bestStep: state.bestStep, skippedSteps: state.skippedSteps, seconds: (ContinuousClock.now - started).seconds)
    }

    /// One step's line of `metrics.jsonl`: the base fields every method logs (`step`, `loss`,
    /// `lr`, `<unit>_per_s`, `rss_mb`), the stage's position in a multi-stage method, and the method's own.
    private func record(_ report: StepReport, stages: Int, gradientNorm: Float?) -> [String: MetricsLog.Value] {
        var record: [String: MetricsLog.Value] = ["step": .int(report.step), "loss": .double(Double(report.loss)),
                                                 "lr": .double(Double(report.learningRate)), "\(method.unit)_per_s": .double(report.examplesPerSecond)]
        if stages > 1 { record["stage"] = .int(report.stageIndex) }
        if let rss = ProcessMemory.residentMegabytes { record["rss_mb"] = .double(rss) }
        if let gradientNorm { record["grad_norm"] = .double(Double(gradientNorm)) }
        for (name, value) in report.parts { record["\(name)_loss"] = .double(Double(value)) }
        for (name, value) in report.values { record[name] = .double(value) }
        return record
    }

    /// A step's examples with every process's share of them.
    private func batch(_ indices: [Int], step: Int, of steps: Int) -> StepBatch {
        let ends = communicator.rowCounts(indices.count).reduce(into: [0]) { $0.append($0.last! + $1) }
        let shares = zip(ends, ends.dropFirst()).map { $0..<$1 }
        return StepBatch(indices: indices, shares: shares, share: shares[communicator.rank], step: step, steps: steps)
    }

    /// The mean over processes of a loss each process computed on its own share.
    private func agreed(_ loss: Float, _ parts: [String: Float]) -> (Float, [String: Float]) {
        guard communicator.size > 1 else { return (loss, parts) }
        let names = parts.keys.sorted()
        var values = [loss] + names.map { parts[$0]! }
        communicator.allReduceAverage(&values)
        return (values[0], Dictionary(uniqueKeysWithValues: zip(names, values.dropFirst())))
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
        method.setTraining(false)
        defer { method.setTraining(true) }
        let metrics = try evaluate()
        try log.append(["step": .int(state.step)].merging(metrics.mapValues { .double($0) }) { a, _ in a })
        onEvent?(.evaluation(step: state.step, metrics: metrics))
        if let value = metrics[primaryMetric], value > (state.bestMetric ?? -.infinity) {
            state.bestMetric = value
            state.bestStep = state.step
            try method.save(to: output.appendingPathComponent("best"))
        }
        return metrics
    }

    /// The name of the first non-finite value among the loss and the gradients, if any.
    func nonFinite(loss: Float, _ parameters: [(name: String, tensor: Tensor)]) -> String? {
        if !loss.isFinite { return "the loss" }
        for (name, tensor) in parameters {
            guard let grad = tensor.grad else { continue }
            if grad.withUnsafeBufferPointer({ $0.contains { !$0.isFinite } }) { return "the gradient of \(name)" }
        }
        return nil
    }
}
