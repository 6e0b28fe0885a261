import Collectives
import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors

/// A contrastive method for sentence encoders: how a batch of examples becomes a step.
/// ``TextTraining`` makes one a ``TrainingMethod`` for the ``Trainer``.
///
/// Conforming types hold the online encoder (trained and saved), optional training-only heads,
/// and any state that must survive a resume (momentum encoders, queues).
public protocol TextMethod: AnyObject {
    /// The encoder being trained; the trainer saves it as the run's model.
    var encoder: SentenceEncoder { get }
    /// Trainable modules besides the encoder (SimCSE's MLP), with the name prefix their
    /// parameters get in checkpoints.
    var heads: [(prefix: String, module: Module)] { get }
    /// The step for the whole `batch` (every process of a data-parallel run plans the same step).
    /// `generator` is this step's own random stream (augmentations), derived from the seed and the
    /// step, so resuming replays it.
    func plan(_ batch: [TextExample], generator: inout RandomGenerator) -> StepPlan
    /// Called after each optimizer step (momentum updates).
    func didStep(_ step: Int)
    /// The momentum encoder a checkpoint keeps, with its queue (ESimCSE, CERT).
    var momentumEncoder: MomentumEncoder? { get }
}

extension TextMethod {
    public var heads: [(prefix: String, module: Module)] { [] }
    public func didStep(_ step: Int) {}
    public var momentumEncoder: MomentumEncoder? { nil }
}

/// A ``TextMethod`` on its examples under ``TrainingSettings``: one stage of `epochs`
/// passes (or `maxSteps` steps), the configuration's optimizer and schedule; evaluated and saved
/// with the configuration's evaluation pooling (SimCSE's MLP is used in training only).
public final class TextTraining: TrainingMethod {
    public let method: any TextMethod
    public let configuration: TrainingSettings
    public let examples: [TextExample]
    /// The pooling the method trains with.
    let trainingPooling: PoolingMode

    public init(_ method: any TextMethod, configuration: TrainingSettings, examples: [TextExample]) throws {
        if let problem = configuration.valueProblems.first { throw TrainingError.invalidSetup(problem) }
        let width = method.encoder.model.hiddenSize
        if let widest = configuration.matryoshkaDimensions?.values.max(), widest > width {
            // A usage error (exit 2), as --truncate-dim's: the flag, not the data, is wrong.
            throw SettingsError(description: "--matryoshka-dims: \(widest) is larger than the model's \(width) dimensions")
        }
        self.method = method
        self.configuration = configuration
        self.examples = examples
        trainingPooling = method.encoder.pooling.mode
    }

    /// The encoder `settings` start from: the `model` folder, or a random one of the `init` shape.
    /// - Throws: ``SettingsError`` without either, or when `max-length` exceeds the model's
    ///   positions; the folder's errors.
    public static func startingEncoder(_ settings: TrainingSettings) throws -> SentenceEncoder {
        let encoder: SentenceEncoder
        if let model = settings.model {
            encoder = try SentenceEncoder(directory: URL(fileURLWithPath: model), dropoutSeed: settings.seed)
        } else if let shape = settings.initialShape {
            encoder = try SentenceEncoder.randomlyInitialized(shape, seed: settings.seed)
        } else {
            throw SettingsError(description: "give exactly one of --model DIR and --init SHAPE")
        }
        let positions = encoder.model.maxTokens
        guard settings.maxLength <= positions else { throw SettingsError(description: "--max-length \(settings.maxLength) exceeds the model's \(positions) positions") }
        return encoder
    }

    public var name: String { configuration.method }
    public var unit: String { "sentences" }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let seed = configuration.seed
        let file = [configuration.corpus, configuration.pairs, configuration.triplets, configuration.sick].compactMap { $0 }.first
        return [try TrainingStage(name: configuration.method, examples: examples.count, what: "training examples" + (file.map { " in \($0)" } ?? ""), settings: configuration,
                                  processes: processes, orderSeed: seed ^ 0xDA7A_0DE5, stepSeed: seed ^ 0xA06_3E47)]
    }

    public var modules: [(prefix: String, module: Module)] { [("", method.encoder.model)] + method.heads }
    public var randomSource: RandomSource? { method.encoder.model.source }

    public func plan(stage: Int, batch: StepBatch, generator: inout RandomGenerator) -> StepPlan {
        let plan = method.plan(batch.indices.map { examples[$0] }, generator: &generator)
        guard let matryoshka = configuration.matryoshka else { return plan }
        // The same inputs, the method's loss applied at each width of the embeddings.
        return StepPlan(inputs: plan.inputs, loss: { z in matryoshka(z) { plan.losses($0).total } }, afterLoss: plan.afterLoss)
    }

    public func didStep(_ step: Int) { method.didStep(step) }
    public var momentumModules: [(prefix: String, module: Module)] {
        guard let momentum = method.momentumEncoder else { return [] }
        return [("momentum.model", momentum.encoder.model)] + (momentum.head.map { [("momentum.head", $0)] } ?? [])
    }
    public var queues: [(name: String, queue: FeatureQueue)] { method.momentumEncoder.map { [("queue", $0.queue)] } ?? [] }

    public func setTraining(_ training: Bool) {
        modules.forEach { $0.module.train(training) }
        method.encoder.pooling.mode = training ? trainingPooling : configuration.evaluationPooling
    }

    /// Saves the encoder (with its evaluation pooling, as the trainer sets it) as a model folder.
    public func save(to folder: URL) throws { try method.encoder.save(to: folder) }
}

extension Trainer {
    /// A trainer of the sentence-encoder method `text` on `examples`.
    public convenience init(text: any TextMethod, configuration: TrainingSettings, examples: [TextExample], output: URL,
                            communicator: any Communicator = SingleProcess()) throws {
        try self.init(method: TextTraining(text, configuration: configuration, examples: examples), settings: configuration,
                      output: output, communicator: communicator)
    }
}
