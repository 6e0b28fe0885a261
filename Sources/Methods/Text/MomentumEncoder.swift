import Models
import NeuralNetworks
import Objectives
import Tensors

/// An exponential moving average of an encoder (and its training head), run without dropout and
/// without gradient, with the queue of its past embeddings: the key encoder and queue of MoCo and
/// CERT, the negative encoder and queue of ESimCSE.
public final class MomentumEncoder {
    public let encoder: SentenceEncoder
    public let head: Linear?
    /// Past embeddings of this encoder, oldest first: the extra negatives.
    public let queue: FeatureQueue
    let updater: MomentumUpdater

    /// A copy of `online` (and of `onlineHead`) updated as `target = m target + (1 - m) online`,
    /// with a queue of `queueSize` embeddings.
    public init(copying online: SentenceEncoder, head onlineHead: Linear?, momentum: Float, queueSize: Int) {
        queue = FeatureQueue(capacity: queueSize, dimension: online.model.hiddenSize)
        var generator = RandomGenerator(seed: 0)
        let model = online.model.makeCopy(source: RandomSource(seed: 0))
        encoder = SentenceEncoder(tokenizer: online.tokenizer, model: model, pooling: online.pooling, maxLength: online.maxLength)
        head = onlineHead.map { Linear(inputSize: $0.inputSize, outputSize: $0.outputSize, generator: &generator) }
        let onlineParameters = online.model.parameters() + (onlineHead?.parameters() ?? [])
        let targetParameters = model.parameters() + (head?.parameters() ?? [])
        // Targets never receive gradients: they follow the online weights only through the average.
        targetParameters.forEach { $0.requiresGrad = false }
        updater = MomentumUpdater(pairs: Array(zip(onlineParameters, targetParameters)), schedule: .constant(momentum))
        updater.copyOnlineIntoTargets()
        model.eval()
    }

    /// Embeddings of `input` by the averaged encoder: evaluation mode, no gradient.
    public func embed(_ input: EncoderInput) -> Tensor {
        withoutGradient { encoder.embed(input, pooler: head.map { layer in { layer($0).tanh() } }) }
    }

    /// The queued embeddings, or `nil` while the queue is empty. Read it before the current
    /// batch's keys enter the queue, so that they are not their own negatives.
    public var negatives: Tensor? { queue.count > 0 ? queue.features : nil }

    /// Moves the averaged weights toward the online ones.
    public func update(step: Int) { updater.update(atStep: step) }
}
