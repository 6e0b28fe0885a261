import Foundation
import NeuralNetworks
import Objectives
import Tensors

/// A training method as the one ``Trainer`` runs it: its stages, the plan of each step, what
/// follows a step (momentum encoders), the state a checkpoint keeps, and the model it saves.
/// The method owns its data and models; the trainer owns the loop.
public protocol TrainingMethod: AnyObject {
    /// The method's name in logs and progress (`simcse`, `vlmo`).
    var name: String { get }
    /// What an example is, for throughput fields (`sentences` → `sentences_per_s`).
    var unit: String { get }
    /// The stages in order (most methods have one); `processes` share each step's batch.
    func stages(processes: Int) throws -> [TrainingStage]
    /// The modules whose parameters and buffers checkpoints keep, by name prefix (`""`: none).
    /// Their trainable parameters are what the optimizer updates.
    var modules: [(prefix: String, module: Module)] { get }
    /// The dropout stream of the trained model (saved in checkpoints), if it has one.
    var randomSource: RandomSource? { get }
    /// Whether the model normalises with batch statistics (BatchNorm): then a share or chunk of
    /// a batch is normalised with its own statistics, so gradient caching is refused and
    /// data-parallel processes each normalise their share, as PyTorch's DistributedDataParallel
    /// without SyncBatchNorm does.
    var usesBatchStatistics: Bool { get }
    /// Called before the first step of stage `stage` (also when a resumed run continues inside
    /// it): which parameters train in it.
    func begin(stage: Int)
    /// The step over `batch` of stage `stage`. `generator` is the step's own random stream,
    /// derived from the seed, the stage and the step, so a resumed run draws the same.
    func plan(stage: Int, batch: StepBatch, generator: inout RandomGenerator) -> StepPlan
    /// Called after each optimizer step; `step` counts the run's steps from 0.
    func didStep(_ step: Int)
    /// Modules that follow the trained ones by a moving average (momentum encoders), by name
    /// prefix: checkpoints keep their parameters and buffers.
    var momentumModules: [(prefix: String, module: Module)] { get }
    /// Queues of past keys, by name: checkpoints keep them.
    var queues: [(name: String, queue: FeatureQueue)] { get }
    /// Switches between training and evaluation (also how the model is saved and evaluated).
    func setTraining(_ training: Bool)
    /// Saves the trained model as a model folder.
    func save(to folder: URL) throws
}

/// One stage of a method: its steps, the examples its batches come from, and its optimizer.
public struct TrainingStage: Sendable, Equatable {
    public var name: String
    public var steps: Int
    /// The count of examples the batches are drawn from (shuffled each epoch, incomplete last
    /// batch dropped, so every batch has the same number of negatives).
    public var examples: Int
    /// Examples per step over all processes.
    public var batchSize: Int
    /// AdamW's peak learning rate and decoupled weight decay (biases and norm weights exempt),
    /// the decay after the warm-up, and the warm-up's steps.
    public var learningRate: Float, weightDecay: Float, decay: LearningRateDecay, warmupSteps: Int
    /// The seeds of the stage's data order and of each step's random stream.
    public var orderSeed: UInt64, stepSeed: UInt64

    /// A stage of `steps` steps (``steps(examples:batchSize:epochs:maxSteps:what:examplesWithoutEpochs:)``) with the
    /// optimizer `settings` describe.
    public init(name: String, steps: Int, examples: Int, batchSize: Int, settings s: TrainingSettings, orderSeed: UInt64, stepSeed: UInt64) {
        (self.name, self.steps, self.examples, self.batchSize, self.orderSeed, self.stepSeed) = (name, steps, examples, batchSize, orderSeed, stepSeed)
        (learningRate, weightDecay, decay, warmupSteps) = (s.learningRate, s.weightDecay, s.schedule, s.warmupSteps(of: steps))
    }

    /// A stage of `settings`' epochs (or `max-steps`) over `examples` (named `what` in errors) in
    /// batches of `batch-size` per process.
    public init(name: String, examples: Int, what: String, settings s: TrainingSettings, processes: Int, orderSeed: UInt64, stepSeed: UInt64) throws {
        let batch = s.batchSize * processes
        self.init(name: name, steps: try Self.steps(examples: examples, batchSize: batch, epochs: s.resolvedEpochs, maxSteps: s.maxSteps, what: what,
                                                    examplesWithoutEpochs: s.captionFileRunExamples),
                  examples: examples, batchSize: batch, settings: s, orderSeed: orderSeed, stepSeed: stepSeed)
    }

    /// Steps of `epochs` passes over `examples` in batches of `batchSize` (`nil`: enough steps to
    /// see `examplesWithoutEpochs`, a caption file's default run), or `maxSteps` when set (which
    /// overrides `epochs`, as Hugging Face Trainer's `max_steps` does).
    /// - Throws: ``TrainingError/invalidSetup(_:)`` when the examples cannot fill one batch.
    public static func steps(examples: Int, batchSize: Int, epochs: Int?, maxSteps: Int?, what: String,
                             examplesWithoutEpochs: Int = TrainingSettings.captionFileExamples) throws -> Int {
        guard examples >= batchSize else {
            throw TrainingError.invalidSetup("\(examples) \(what) cannot fill one batch of \(batchSize) (--batch-size, over all processes)")
        }
        guard let epochs else { return maxSteps ?? max(1, examplesWithoutEpochs / batchSize) }
        return maxSteps ?? epochs * (examples / batchSize)
    }

    /// The learning rate over the stage's steps (warm-up at most `steps - 1` steps).
    var schedule: any LearningRateSchedule {
        decay.schedule(peakLearningRate: learningRate, warmupSteps: max(0, min(warmupSteps, steps - 1)), totalSteps: steps)
    }
}

/// The examples of one step: the whole batch, which every process plans, and how its rows are
/// shared by the processes of a data-parallel run (for methods that order rows by process, or
/// plan only their own share, ``StepPlan``).
public struct StepBatch: Sendable {
    /// The examples' indices in the stage's data.
    public let indices: [Int]
    /// Every process's rows of the batch, in rank order (one range in a single process).
    public let shares: [Range<Int>]
    /// This process's rows.
    public let share: Range<Int>
    /// The step within its stage, from 0, of the stage's `steps`.
    public let step: Int, steps: Int
}

extension TrainingMethod {
    public var randomSource: RandomSource? { nil }
    public var usesBatchStatistics: Bool { false }
    public func begin(stage: Int) {}
    public func didStep(_ step: Int) {}
    public var momentumModules: [(prefix: String, module: Module)] { [] }
    public var queues: [(name: String, queue: FeatureQueue)] { [] }
    public func setTraining(_ training: Bool) { modules.forEach { $0.module.train(training) } }

    /// The parameters the optimizer updates now, with their checkpoint names.
    public var trainableParameters: [(name: String, tensor: Tensor)] {
        modules.flatMap { prefixed($0.prefix, $0.module.trainableParameters()) }
    }

    /// Every parameter and buffer of `modules` (or of the momentum modules), with their checkpoint names.
    func state(of modules: [(prefix: String, module: Module)]) -> [(name: String, tensor: Tensor)] {
        modules.flatMap { prefixed($0.prefix, $0.module.namedState()) }
    }

    private func prefixed(_ prefix: String, _ tensors: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
        prefix.isEmpty ? tensors : tensors.map { ("\(prefix).\($0.name)", $0.tensor) }
    }
}
