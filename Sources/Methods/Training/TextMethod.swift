import Models
import NeuralNetworks
import Tensors

/// A contrastive training method for sentence encoders: how a batch of examples becomes a loss.
/// `TextTrainer` runs any of them (optimizer, schedule, evaluation, checkpoints, logs).
///
/// A method describes each step as an `EmbeddingPlan` (the batch's encoder inputs and the loss
/// over their embeddings) and the trainer's `StepRunner` runs it, so every method gets gradient
/// caching and data-parallel training without code of its own.
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
    func plan(_ batch: [TextExample], generator: inout RandomGenerator) -> EmbeddingPlan
    /// Called after each optimizer step (momentum updates, queue updates).
    func didStep(_ step: Int)
    /// State beyond parameters and optimizer that a checkpoint must keep.
    func checkpointState() -> [String: Tensor]
    /// Restores what `checkpointState()` returned.
    func restore(checkpointState: [String: Tensor]) throws
}

extension TextMethod {
    public var heads: [(prefix: String, module: Module)] { [] }
    public func didStep(_ step: Int) {}
    public func checkpointState() -> [String: Tensor] { [:] }
    public func restore(checkpointState: [String: Tensor]) throws {}

    /// Every trainable parameter with its checkpoint name: the encoder's, then each head's.
    public var trainableParameters: [(name: String, tensor: Tensor)] {
        encoder.model.trainableParameters() + heads.flatMap { head in
            head.module.trainableParameters().map { ("\(head.prefix).\($0.name)", $0.tensor) }
        }
    }

    /// Switches the encoder and heads between training and evaluation mode.
    public func setTraining(_ training: Bool) {
        encoder.model.train(training)
        heads.forEach { $0.module.train(training) }
    }
}
