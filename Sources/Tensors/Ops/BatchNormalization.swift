/// Batch normalisation of axis 1 (channels) over every other axis, one fused kernel each way.
/// The running statistics live in the layer (`BatchNorm` in NeuralNetworks); these operations
/// only compute with statistics, so that autograd sees no state.
extension Tensor {
    /// `[outer, channels, inner]` for a `[N, C, ...]` input, checking the affine parameters.
    private func batchNormLayout(weight: Tensor?, bias: Tensor?) -> (outer: Int, channels: Int, inner: Int) {
        ensure(rank >= 2, "batchNorm: input must be [batch, channels, ...], got \(shape)")
        let c = shape[1]
        ensure(weight == nil || weight!.shape == [c], "batchNorm: weight \(weight!.shape) must be [\(c)] for input \(shape)")
        ensure(bias == nil || bias!.shape == [c], "batchNorm: bias \(bias!.shape) must be [\(c)] for input \(shape)")
        return (shape[0], c, count / Swift.max(shape[0] * c, 1))
    }

    /// Normalises each channel with the statistics of this batch (training):
    /// `y = (x - mean) / √(variance + eps) · weight + bias`, for `[N, C]` or `[N, C, H, W]` inputs.
    ///
    /// - Returns: the output, and the batch `mean` and biased `variance` per channel (`[C]`,
    ///   without gradient) for the layer's running statistics.
    public func batchNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let (outer, channels, inner) = batchNormLayout(weight: weight, bias: bias)
        ensure(outer * inner > 1, "batchNorm: batch statistics need more than one value per channel, got input \(shape)")
        let out = Tensor(uninitialized: shape)
        let mean = Tensor(uninitialized: [channels]), variance = Tensor(uninitialized: [channels]), rstd = Tensor(uninitialized: [channels])
        let (w, b) = (weight ?? Tensor.zeros([0]), bias ?? Tensor.zeros([0]))
        Tensor.withData(self, w, b, out, mean, variance, rstd) { p in
            Kernels.batchNormForward(p[0], weight: weight == nil ? nil : UnsafePointer(p[1]), bias: bias == nil ? nil : UnsafePointer(p[2]), p[3],
                                     mean: p[4], variance: p[5], rstd: p[6], outer: outer, channels: channels, inner: inner, eps: eps)
        }
        let recorded = out.recorded("batchNorm", [self] + [weight, bias].compactMap { $0 }) { g in
            self.batchNormGradients(g, mean: mean, rstd: rstd, weight: weight, bias: bias, batchStatistics: true)
        }
        return (recorded, mean, variance)
    }

    /// Normalises each channel with given statistics (evaluation with running statistics), which
    /// receive no gradient: `y = (x - mean) / √(variance + eps) · weight + bias`.
    public func batchNorm(mean: Tensor, variance: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let (outer, channels, inner) = batchNormLayout(weight: weight, bias: bias)
        ensure(mean.shape == [channels] && variance.shape == [channels],
               "batchNorm: mean \(mean.shape) and variance \(variance.shape) must be [\(channels)] for input \(shape)")
        let rstd = Tensor(variance.scalars.map { 1 / ($0 + eps).squareRoot() }, shape: [channels])
        let out = Tensor(uninitialized: shape)
        let (w, b) = (weight ?? Tensor.zeros([0]), bias ?? Tensor.zeros([0]))
        Tensor.withData(self, mean, rstd, w, b, out) { p in
            Kernels.batchNormApply(p[0], mean: p[1], rstd: p[2], weight: weight == nil ? nil : UnsafePointer(p[3]),
                                   bias: bias == nil ? nil : UnsafePointer(p[4]), p[5], outer: outer, channels: channels, inner: inner)
        }
        let fixedMean = mean.copy()
        return out.recorded("batchNorm", [self] + [weight, bias].compactMap { $0 }) { g in
            self.batchNormGradients(g, mean: fixedMean, rstd: rstd, weight: weight, bias: bias, batchStatistics: false)
        }
    }

    /// The gradients for `[self, weight?, bias?]` (the present ones, in that order).
    private func batchNormGradients(_ g: Tensor, mean: Tensor, rstd: Tensor, weight: Tensor?, bias: Tensor?, batchStatistics: Bool) -> [Tensor?] {
        let (outer, channels, inner) = batchNormLayout(weight: weight, bias: bias)
        let dx = requiresGrad ? Tensor(uninitialized: shape) : nil
        let dw = weight?.requiresGrad == true ? Tensor.zeros([channels]) : nil
        let db = bias?.requiresGrad == true ? Tensor.zeros([channels]) : nil
        let w = weight ?? Tensor.zeros([0])
        Tensor.withData(self, mean, rstd, w, g) { p in
            withExtendedLifetime((dx, dw, db)) {
                Kernels.batchNormBackward(p[0], mean: p[1], rstd: p[2], weight: weight == nil ? nil : UnsafePointer(p[3]), p[4], dx?.storage.base,
                                          dweight: dw?.storage.base, dbias: db?.storage.base,
                                          outer: outer, channels: channels, inner: inner, batchStatistics: batchStatistics)
            }
        }
        var grads: [Tensor?] = [dx]
        if weight != nil { grads.append(dw) }
        if bias != nil { grads.append(db) }
        return grads
    }
}
