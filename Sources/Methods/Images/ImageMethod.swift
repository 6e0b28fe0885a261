import Models
import NeuralNetworks
import Objectives
import Tensors

/// A self-supervised image method that ``ImageTrainer`` runs: a loss over two augmented views of
/// a batch, the parameters it trains, and what happens after each optimizer step.
public protocol ImageMethod: AnyObject {
    /// The name in run folders and saved models (`simclr`, `moco`).
    var name: String { get }
    /// The encoder whose features are the representation (saved at the end of training).
    var encoder: ResNet { get }
    /// Every module the optimizer updates (encoder and heads); the trainer switches them to training mode.
    var trainedModules: [(name: String, module: Module)] { get }
    /// The loss of one batch from its two views (`[N, C, H, W]` each; row `i` of both shows image `i`).
    func loss(_ first: Tensor, _ second: Tensor) -> Tensor
    /// Called after each optimizer step (`step` counts from 1): momentum updates and queues.
    func afterStep(_ step: Int)
    /// State beyond the trained parameters and the optimizer that a checkpoint must keep
    /// (by default the trained modules' buffers: BatchNorm's running statistics).
    func checkpointState() -> [String: Tensor]
    /// Restores what `checkpointState()` returned.
    func restore(checkpointState: [String: Tensor]) throws
}

extension ImageMethod {
    public func afterStep(_ step: Int) {}

    public func checkpointState() -> [String: Tensor] { trainedBuffers }

    public func restore(checkpointState state: [String: Tensor]) throws { try restoreTrainedBuffers(from: state) }

    /// The trained modules' buffers by dotted name, prefixed with their module's name.
    public var trainedBuffers: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: trainedModules.flatMap { module in module.module.namedBuffers().map { ("\(module.name).\($0.name)", $0.tensor) } })
    }

    /// Assigns every trained module's buffer its value in `state`.
    public func restoreTrainedBuffers(from state: [String: Tensor]) throws {
        for (name, tensor) in trainedBuffers {
            guard let saved = state[name], saved.shape == tensor.shape else {
                throw TrainingError.corruptCheckpoint("\(self.name): buffer \(name) is missing from the checkpoint or has the wrong shape")
            }
            tensor.assign(saved)
        }
    }

    /// The trained parameters by dotted name, prefixed with their module's name.
    public var namedTrainedParameters: [(name: String, tensor: Tensor)] {
        trainedModules.flatMap { module in module.module.trainableParameters().map { ("\(module.name).\($0.name)", $0.tensor) } }
    }
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

    /// Both views go through the encoder and head as one batch of `2N`, as SimCLR's code does:
    /// BatchNorm normalises them with the same statistics, and one large convolution is faster
    /// than two.
    public func loss(_ first: Tensor, _ second: Tensor) -> Tensor {
        ensure(first.shape == second.shape, "SimCLR: views \(first.shape) and \(second.shape) differ")
        let n = first.shape[0]
        let z = head(encoder(Tensor.concat([first, second], axis: 0)))
        return objective(z.slice(axis: 0, 0..<n), z.slice(axis: 0, n..<(2 * n)))
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

    public func loss(_ first: Tensor, _ second: Tensor) -> Tensor {
        let k = withoutGradient { keyHead(keyEncoder(second)).l2Normalized() }
        let value = objective(queries: head(encoder(first)), keys: k, queue: queue.count > 0 ? queue.features : nil)
        // After reading the queue: the current keys are never their own negatives.
        queue.enqueue(k)
        return value
    }

    public func afterStep(_ step: Int) { keys.update(step: step) }

    /// The buffers, the key encoder and head (parameters and buffers) and the queue.
    public func checkpointState() -> [String: Tensor] {
        var state = trainedBuffers
        for (name, tensor) in keys.target.namedState() { state["keys.\(name)"] = tensor }
        state["queue"] = queue.features
        return state
    }

    public func restore(checkpointState state: [String: Tensor]) throws {
        try restoreTrainedBuffers(from: state)
        for (name, tensor) in keys.target.namedState() {
            guard let saved = state["keys.\(name)"], saved.shape == tensor.shape else {
                throw TrainingError.corruptCheckpoint("moco: key encoder \(name) is missing from the checkpoint or has the wrong shape")
            }
            tensor.assign(saved)
        }
        guard let saved = state["queue"] else { throw TrainingError.corruptCheckpoint("moco: the queue is missing from the checkpoint") }
        if saved.shape[0] > 0 { queue.enqueue(saved) }
    }
}
