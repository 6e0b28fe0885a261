import Tensors

/// Batch normalisation of axis 1 (features or channels) over every other axis: PyTorch's
/// `nn.BatchNorm1d` on `[N, C]` and `nn.BatchNorm2d` on `[N, C, H, W]`, with the same state
/// names: parameters `weight`, `bias` (unless `affine: false`) and buffers `running_mean`,
/// `running_var`.
///
/// In training mode it normalises with the batch's statistics and moves the running statistics
/// toward them, `running = (1 - momentum)·running + momentum·batch` (the variance unbiased, as
/// PyTorch); in evaluation mode it normalises with the running statistics. Training mode updates
/// them whether or not gradients are recorded, so a momentum encoder that runs its copy in
/// training mode under `withoutGradient` (MoCo's key encoder) tracks its own statistics.
/// PyTorch checkpoints also carry `num_batches_tracked`, which this layer does not use (its
/// momentum is fixed): load them with `ignoring: ["num_batches_tracked"]`.
///
/// ```swift
/// let norm = BatchNorm(features: 64)
/// let y = norm(x)   // x: [N, 64, H, W] or [N, 64]
/// ```
public final class BatchNorm: Module {
    /// `[features]`, initially ones; `nil` without affine parameters.
    public let weight: Tensor?
    /// `[features]`, initially zeros; `nil` without affine parameters.
    public let bias: Tensor?
    /// `[features]` buffer, initially zeros.
    public let runningMean: Tensor
    /// `[features]` buffer, initially ones.
    public let runningVariance: Tensor
    public let eps: Float
    /// The weight of each batch in the running statistics (PyTorch's `momentum`, default 0.1).
    public let momentum: Float

    public init(features: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        ensure(features > 0 && (0...1).contains(momentum), "BatchNorm: features \(features) must be positive and momentum \(momentum) in [0, 1]")
        weight = affine ? Tensor.ones([features]) : nil
        bias = affine ? Tensor.zeros([features]) : nil
        runningMean = Tensor.zeros([features])
        runningVariance = Tensor.ones([features])
        self.eps = eps
        self.momentum = momentum
        super.init()
        if let weight { register(parameter: weight, as: "weight") }
        if let bias { register(parameter: bias, as: "bias") }
        register(buffer: runningMean, as: "running_mean")
        register(buffer: runningVariance, as: "running_var")
    }

    public var features: Int { runningMean.count }

    /// Normalises `x` `[N, features, ...]`: with batch statistics (updating the running ones) in
    /// training mode, with the running statistics in evaluation mode.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        ensure(x.rank >= 2 && x.shape[1] == features, "BatchNorm: input \(x.shape) must be [batch, \(features), ...]")
        guard isTraining else {
            return x.batchNorm(mean: runningMean, variance: runningVariance, weight: weight, bias: bias, eps: eps)
        }
        let (y, mean, variance) = x.batchNorm(weight: weight, bias: bias, eps: eps)
        let n = Float(x.count / features)
        let unbiased = n / (n - 1)
        runningMean.withUnsafeMutableBufferPointer { running in
            mean.withUnsafeBufferPointer { batch in
                for c in running.indices { running[c] += momentum * (batch[c] - running[c]) }
            }
        }
        runningVariance.withUnsafeMutableBufferPointer { running in
            variance.withUnsafeBufferPointer { batch in
                for c in running.indices { running[c] += momentum * (batch[c] * unbiased - running[c]) }
            }
        }
        return y
    }
}
