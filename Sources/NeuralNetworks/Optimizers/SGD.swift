import Tensors

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay, reproducing PyTorch's `torch.optim.SGD`:
///
/// ```
/// g ← g + λ·p
/// b ← g                        on the first step
/// b ← μ·b + (1 − dampening)·g  afterwards
/// g ← g + μ·b (Nesterov) or b
/// p ← p − lr·g
/// ```
///
/// ```swift
/// let sgd = SGD(groups: [ParameterGroup(parameters: model.namedParameters())], learningRate: 0.1, momentum: 0.9)
/// ```
public final class SGD: Optimizer {
    public var learningRate: Float
    public let groups: [ParameterGroup]
    /// The momentum factor μ (0: plain SGD, no state).
    public let momentum: Float
    /// Scales down the gradient added to the momentum buffer after the first step.
    public let dampening: Float
    /// Whether to step along `g + μ·b` rather than `b`.
    public let nesterov: Bool
    /// Each parameter's momentum buffer, created on its first update.
    private var buffers: [String: Tensor] = [:]
    private static let slot = "momentum_buffer"

    /// An optimizer over explicit groups (each group's `weightDecay` is L2 decay added to the gradient).
    public init(groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) {
        ensure(learningRate >= 0 && momentum >= 0, "SGD: invalid learning rate \(learningRate) or momentum \(momentum)")
        ensure(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        checkUniqueNames(groups, optimizer: "SGD")
        self.groups = groups
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// Plain SGD over `parameters`, all with the same `weightDecay`.
    public convenience init(parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
                            dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(groups: [ParameterGroup(parameters: parameters, weightDecay: weightDecay)], learningRate: learningRate,
                  momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    public func step() {
        let (momentum, nesterov) = (momentum, nesterov)
        let keep = 1 - dampening
        forEachUpdate { name, tensor, lr, weightDecay, p, g in
            guard momentum != 0 else {
                for i in 0..<p.count { p[i] -= lr * (g[i] + weightDecay * p[i]) }
                return
            }
            let isFirst = buffers[name] == nil
            let buffer = buffers[name] ?? Tensor.zeros(tensor.shape)
            buffers[name] = buffer
            buffer.withUnsafeMutableBufferPointer { b in
                for i in 0..<p.count {
                    let gi = g[i] + weightDecay * p[i]
                    b[i] = isFirst ? gi : momentum * b[i] + keep * gi
                    p[i] -= lr * (nesterov ? gi + momentum * b[i] : b[i])
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        OptimizerSlots.encode(buffers.mapValues { [Self.slot: $0] })
    }

    public func load(stateDict: [String: Tensor]) throws {
        buffers = try OptimizerSlots.decode(stateDict, groups: groups, slots: [Self.slot]).mapValues { $0[Self.slot]! }
    }
}
