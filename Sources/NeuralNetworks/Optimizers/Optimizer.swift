import Tensors

/// What training loops need from an optimizer: a learning rate a schedule can set, one update per
/// `step()`, and its state as named tensors for exact resumption.
///
/// ```swift
/// let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: 5e-5)
/// for step in 0..<steps {
///     optimizer.learningRate = schedule.learningRate(at: step)
///     loss(model, batch).backward()
///     clipGradientNorm(model.parameters(), maxNorm: 1)
///     optimizer.step()
///     optimizer.zeroGrad()
/// }
/// ```
public protocol Optimizer: AnyObject {
    /// The base learning rate; each group scales it by its `learningRateScale`.
    var learningRate: Float { get set }
    /// The parameters and their per-group settings.
    var groups: [ParameterGroup] { get }
    /// Updates every parameter that has a gradient; parameters without one (frozen, unused) are
    /// left alone and their state does not advance, as in PyTorch.
    func step()
    /// The per-parameter state (moments, step counts) as `<parameter name>.<slot>` tensors.
    func stateDict() -> [String: Tensor]
    /// Restores state saved by `stateDict()`; parameters absent from it start fresh.
    /// Throws `StateDictError` for keys naming no parameter or slot, partial state and wrong shapes.
    func load(stateDict: [String: Tensor]) throws
}

extension Optimizer {
    /// Forgets the gradients of all parameters.
    public func zeroGrad() {
        for group in groups { for (_, tensor) in group.parameters { tensor.zeroGrad() } }
    }

    /// Calls `body` for each parameter that has a gradient, with its name, its group's effective
    /// learning rate and weight decay, and its value and gradient buffers.
    func forEachUpdate(_ body: (String, Tensor, _ learningRate: Float, _ weightDecay: Float,
                                 UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void) {
        for group in groups {
            let rate = learningRate * group.learningRateScale
            for (name, tensor) in group.parameters {
                guard tensor.requiresGrad, let grad = tensor.grad else { continue }
                ensure(grad.shape == tensor.shape, "\(type(of: self)).step: gradient \(grad.shape) for parameter '\(name)' of shape \(tensor.shape)")
                tensor.withUnsafeMutableBufferPointer { value in
                    grad.withUnsafeBufferPointer { g in body(name, tensor, rate, group.weightDecay, value, g) }
                }
            }
        }
    }
}
