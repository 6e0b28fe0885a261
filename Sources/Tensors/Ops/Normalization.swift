/// Softmax, log-softmax, LayerNorm and L2 normalisation over the last axis, each one fused kernel.
extension Tensor {
    private var rowsAndWidth: (rows: Int, n: Int) {
        ensure(rank >= 1, "normalisation: needs at least one axis, got a scalar")
        let n = shape[rank - 1]
        return (n == 0 ? 0 : count / n, n)
    }

    /// Softmax over the last axis of `scale * self + additiveMask`, fused in one kernel.
    ///
    /// `additiveMask` (0 where attending, a large negative value where masked) is either `[batch, n]`
    /// for a tensor `[batch, ..., n]`: one row per sequence, shared by every head and query position;
    /// or `[batch, queries, n]` for a tensor `[batch, ..., queries, n]`: one row per query position,
    /// shared by every head (a causal mask combined with the padding mask).
    /// It receives no gradient. This is attention's scale-mask-softmax in one pass.
    public func softmax(scale: Float = 1, additiveMask: Tensor? = nil) -> Tensor {
        let (rows, n) = rowsAndWidth
        var rowsPerBias = 1, biasRows = 1
        if let mask = additiveMask {
            let perQuery = mask.rank == 3 && rank >= 3 && mask.shape[1] == shape[rank - 2]
            ensure((mask.rank == 2 || perQuery) && mask.shape[mask.rank - 1] == n && rank >= 2 && mask.shape[0] == shape[0],
                         "softmax: mask of shape \(mask.shape) does not match input \(shape) (expected [\(shape.first ?? 0), \(n)] or [\(shape.first ?? 0), queries, \(n)])")
            rowsPerBias = rows / Swift.max(mask.shape[0], 1)
            biasRows = perQuery ? mask.shape[1] : 1
        }
        let out = Tensor(uninitialized: shape)
        let maskTensor = additiveMask ?? Tensor.zeros([0])
        Tensor.withData(self, out, maskTensor) { p in
            Kernels.softmaxForward(p[0], p[1], rows: rows, n: n, scale: scale, bias: additiveMask == nil ? nil : UnsafePointer(p[2]),
                                   rowsPerBias: rowsPerBias, biasRows: biasRows)
        }
        return out.recorded("softmax", [self]) { [saved = out.detached()] g in
            let dx = Tensor(uninitialized: g.shape)
            Tensor.withData(saved, g, dx) { p in Kernels.softmaxBackward(p[0], p[1], p[2], rows: rows, n: n, scale: scale) }
            return [dx]
        }
    }

    /// Log-softmax over the last axis.
    public func logSoftmax() -> Tensor {
        let (rows, n) = rowsAndWidth
        let out = Tensor(uninitialized: shape)
        Tensor.withData(self, out) { p in Kernels.logSoftmaxForward(p[0], p[1], rows: rows, n: n) }
        return out.recorded("logSoftmax", [self]) { [saved = out.detached()] g in
            let dx = Tensor(uninitialized: g.shape)
            Tensor.withData(saved, g, dx) { p in Kernels.logSoftmaxBackward(p[0], p[1], p[2], rows: rows, n: n) }
            return [dx]
        }
    }

    /// Layer normalisation over the last axis with an affine `weight` and `bias` (both `[n]`), or
    /// `weight` alone when `bias` is `nil` (PyTorch's `LayerNorm(bias=False)`).
    public func layerNorm(weight: Tensor, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let (rows, n) = rowsAndWidth
        ensure(weight.shape == [n] && (bias?.shape ?? [n]) == [n],
               "layerNorm: weight \(weight.shape) and bias \(bias?.shape ?? []) must both be [\(n)] for input \(shape)")
        let out = Tensor(uninitialized: shape)
        let mean = Tensor(uninitialized: [rows]), rstd = Tensor(uninitialized: [rows])
        // The kernel always adds a bias row: zeros stand in for a missing one.
        let shift = bias ?? Tensor.zeros([n])
        Tensor.withData(self, weight, shift, out, mean, rstd) { p in
            Kernels.layerNormForward(p[0], p[1], p[2], p[3], mean: p[4], rstd: p[5], rows: rows, n: n, eps: eps)
        }
        let (hasBias, needBias) = (bias != nil, bias?.requiresGrad == true)
        return out.recorded("layerNorm", bias.map { [self, weight, $0] } ?? [self, weight]) { g in
            let dx = Tensor(uninitialized: self.shape)
            let dw = weight.requiresGrad ? Tensor.zeros([n]) : nil
            let db = needBias ? Tensor.zeros([n]) : nil
            Tensor.withData(self, weight, mean, rstd, g, dx) { p in
                withExtendedLifetime((dw, db)) {
                    Kernels.layerNormBackward(p[0], p[1], mean: p[2], rstd: p[3], p[4], p[5],
                                              dweight: dw?.storage.base, dbias: db?.storage.base, rows: rows, n: n)
                }
            }
            return hasBias ? [dx, dw, db] : [dx, dw]
        }
    }

    /// Each row divided by its Euclidean norm, `x / max(‖x‖, eps)` over the last axis.
    public func l2Normalized(eps: Float = 1e-12) -> Tensor {
        let (rows, n) = rowsAndWidth
        let out = Tensor(uninitialized: shape)
        let norm = Tensor(uninitialized: [rows])
        Tensor.withData(self, out, norm) { p in Kernels.l2NormalizeForward(p[0], p[1], norm: p[2], rows: rows, n: n, eps: eps) }
        return out.recorded("l2Normalize", [self]) { [saved = out.detached()] g in
            let dx = Tensor(uninitialized: g.shape)
            Tensor.withData(saved, norm, g, dx) { p in Kernels.l2NormalizeBackward(p[0], norm: p[1], p[2], p[3], rows: rows, n: n, eps: eps) }
            return [dx]
        }
    }
}
