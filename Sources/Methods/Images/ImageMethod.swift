import Models
import NeuralNetworks
import Objectives
import Tensors

/// A self-supervised image method that ``ImageTraining`` runs: the step over two augmented views
/// of a batch, the modules it trains, and what happens after each optimizer step.
public protocol ImageMethod: AnyObject {
    /// The name in run folders and saved models (`simclr`, `moco`).
    var name: String { get }
    /// The encoder whose features are the representation (saved at the end of training).
    var encoder: ResNet { get }
    /// Every module the optimizer updates (encoder and heads), by name.
    var trainedModules: [(name: String, module: Module)] { get }
    /// The step of one batch from its two views (`[N, C, H, W]` each; row `i` of both shows image
    /// `i`); `shares` are the processes' rows of the batch (``StepBatch/shares``).
    func plan(_ first: Tensor, _ second: Tensor, shares: [Range<Int>]) -> StepPlan
    /// Called after each optimizer step (`step` counts from 1): momentum updates.
    func afterStep(_ step: Int)
    /// Momentum copies and queues a checkpoint keeps (``TrainingMethod/momentumModules``, ``TrainingMethod/queues``).
    var momentumModules: [(prefix: String, module: Module)] { get }
    var queues: [(name: String, queue: FeatureQueue)] { get }
}

extension ImageMethod {
    public func afterStep(_ step: Int) {}
    public var momentumModules: [(prefix: String, module: Module)] { [] }
    public var queues: [(name: String, queue: FeatureQueue)] { [] }
}

/// SimCLR (Chen et al. 2020): encoder `f`, projection head `g`, and NT-Xent over the `2N` projected
/// views of a batch.
public final class SimCLR: ImageMethod {
    public let name = "simclr"
    public let encoder: ResNet
    /// `g(·)`: two linear layers with BatchNorm and ReLU between (SimCLR's head).
    public let head: ProjectionHead
    public let objective: NTXentLoss

    /// A randomly initialised encoder of `shape` with a head of `hiddenSize` → `projectionSize`.
    public init(shape: ResNetConfiguration, hiddenSize: Int, projectionSize: Int, temperature: Float, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        encoder = ResNet(shape, generator: &generator)
        head = ProjectionHead(inputSize: encoder.featureSize, hiddenSize: hiddenSize, outputSize: projectionSize, batchNorm: true, generator: &generator)
        objective = NTXentLoss(temperature: .fixed(temperature))
    }

    public var trainedModules: [(name: String, module: Module)] { [("encoder", encoder), ("head", head)] }

    /// Both views go through the encoder and head as one input of `2N` rows, as SimCLR's code
    /// does: BatchNorm normalises them with the same statistics, and one large convolution is
    /// faster than two. The rows are ordered by process share (both views of a share's images
    /// together), so that in a data-parallel run each process normalises both views of its own
    /// images, as SimCLR's code on several devices does.
    public func plan(_ first: Tensor, _ second: Tensor, shares: [Range<Int>]) -> StepPlan {
        ensure(first.shape == second.shape, "SimCLR: views \(first.shape) and \(second.shape) differ")
        let views = Tensor.concat(shares.flatMap { [first.slice(axis: 0, $0), second.slice(axis: 0, $0)] }, axis: 0)
        return StepPlan(inputs: [.trained(rows: views.shape[0]) { self.head(self.encoder(views.slice(axis: 0, $0))) }]) { z in
            let z = z[0]
            let firsts = shares.map { z.slice(axis: 0, (2 * $0.lowerBound)..<($0.lowerBound + $0.upperBound)) }
            let seconds = shares.map { z.slice(axis: 0, ($0.lowerBound + $0.upperBound)..<(2 * $0.upperBound)) }
            return self.objective(firsts.count == 1 ? firsts[0] : Tensor.concat(firsts, axis: 0),
                                  seconds.count == 1 ? seconds[0] : Tensor.concat(seconds, axis: 0))
        }
    }
}

/// MoCo v2 (Chen et al. 2020, "Improved baselines"): the query encoder and MLP head are trained;
/// a momentum copy of both encodes the keys; InfoNCE picks each query's own key among the queue
/// of past keys. One direction, as the paper: queries from the first view, keys from the second.
///
/// The key encoder runs in training mode (batch statistics, as MoCo's), so its BatchNorm buffers
/// follow its own batches; one process has no shuffled BatchNorm across devices.
public final class MoCo: ImageMethod {
    public let name = "moco"
    public let encoder: ResNet
    /// The MLP head (linear, ReLU, linear, as MoCo v2).
    public let head: ProjectionHead
    /// The momentum copies of `encoder` and `head`.
    public let keys: MomentumModule
    /// The last keys, the negatives.
    public let queue: FeatureQueue
    public let objective: InfoNCELoss
    /// The momentum copies themselves.
    public let keyEncoder: ResNet, keyHead: ProjectionHead

    public init(shape: ResNetConfiguration, hiddenSize: Int, projectionSize: Int, temperature: Float, momentum: Float, queueSize: Int, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        encoder = ResNet(shape, generator: &generator)
        head = ProjectionHead(inputSize: encoder.featureSize, hiddenSize: hiddenSize, outputSize: projectionSize, generator: &generator)
        keyEncoder = ResNet(shape, generator: &generator)
        keyHead = ProjectionHead(inputSize: encoder.featureSize, hiddenSize: hiddenSize, outputSize: projectionSize, generator: &generator)
        let online = Module(), target = Module()
        online.register(child: encoder, as: "encoder")
        online.register(child: head, as: "head")
        target.register(child: keyEncoder, as: "encoder")
        target.register(child: keyHead, as: "head")
        keys = MomentumModule(online: online, target: target, momentum: momentum)
        queue = FeatureQueue(capacity: queueSize, dimension: projectionSize)
        objective = InfoNCELoss(temperature: .fixed(temperature), inBatchNegatives: false)
    }

    public var trainedModules: [(name: String, module: Module)] { [("encoder", encoder), ("head", head)] }

    /// Queries from the first view through the trained encoder and head; keys from the second
    /// through the momentum copies (in a data-parallel run each process encodes its share of
    /// both, and every process's keys enter the queue, as MoCo's code gathers them).
    public func plan(_ first: Tensor, _ second: Tensor, shares: [Range<Int>]) -> StepPlan {
        let negatives = queue.count > 0 ? queue.features : nil
        return StepPlan(
            inputs: [.fixed(rows: second.shape[0]) { rows in withoutGradient { self.keyHead(self.keyEncoder(second.slice(axis: 0, rows))).l2Normalized() } },
                     .trained(rows: first.shape[0]) { self.head(self.encoder(first.slice(axis: 0, $0))) }],
            loss: { z in self.objective(queries: z[1], keys: z[0], queue: negatives) },
            // After reading the queue: the current keys are never their own negatives.
            afterLoss: { z in self.queue.enqueue(z[0]) })
    }

    public func afterStep(_ step: Int) { keys.update(step: step) }
    public var momentumModules: [(prefix: String, module: Module)] { [("keys", keys.target)] }
    public var queues: [(name: String, queue: FeatureQueue)] { [("queue", queue)] }
}
