/// Cross-entropy losses on logits, fused with log-softmax over the last axis.
extension Tensor {
    /// Mean cross-entropy of `[rows, classes]` logits against integer class `targets`.
    /// Rows whose target is `ignoreIndex` are skipped and excluded from the mean.
    public func crossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
        ensure(rank == 2, "crossEntropy: logits must be [rows, classes], got \(shape)")
        let rows = shape[0], n = shape[1]
        ensure(targets.count == rows, "crossEntropy: \(targets.count) targets for logits of shape \(shape)")
        for t in targets where t != ignoreIndex {
            ensure(t >= 0 && t < n, "crossEntropy: target \(t) is out of range for \(n) classes")
        }
        let counted = targets.filter { $0 != ignoreIndex }.count
        let perRow = Tensor(uninitialized: [rows]), lse = Tensor(uninitialized: [rows])
        targets.withUnsafeBufferPointer { t in
            Tensor.withData(self, perRow, lse) { p in
                Kernels.crossEntropyForward(p[0], targets: t.baseAddress!, ignoreIndex: ignoreIndex, loss: p[1], lse: p[2], rows: rows, n: n)
            }
        }
        let total = perRow.scalars.reduce(Float(0), +)
        let out = Tensor(scalar: counted == 0 ? 0 : total / Float(counted))
        return out.recorded("crossEntropy", [self]) { g in
            let scale = Tensor.full([rows], counted == 0 ? 0 : g.item / Float(counted))
            let dx = Tensor(uninitialized: self.shape)
            targets.withUnsafeBufferPointer { t in
                Tensor.withData(self, lse, scale, dx) { p in
                    Kernels.crossEntropyBackward(p[0], targets: t.baseAddress!, ignoreIndex: ignoreIndex, lse: p[1], rowScale: p[2], p[3], rows: rows, n: n)
                }
            }
            return [dx]
        }
    }

    /// Mean over rows of `-Σ_j targets[j] log softmax(self)[j]` for soft target distributions
    /// (label smoothing, momentum distillation). Gradients flow to both operands.
    public func crossEntropy(softTargets targets: Tensor) -> Tensor {
        ensure(rank == 2 && targets.shape == shape, "crossEntropy: logits \(shape) and soft targets \(targets.shape) must be the same [rows, classes]")
        let rows = shape[0], n = shape[1]
        let perRow = Tensor(uninitialized: [rows]), lse = Tensor(uninitialized: [rows])
        Tensor.withData(self, targets, perRow, lse) { p in
            Kernels.softCrossEntropyForward(p[0], p[1], loss: p[2], lse: p[3], rows: rows, n: n)
        }
        let out = Tensor(scalar: rows == 0 ? 0 : perRow.scalars.reduce(Float(0), +) / Float(rows))
        return out.recorded("softCrossEntropy", [self, targets]) { g in
            let scale = Tensor.full([rows], g.item / Float(Swift.max(rows, 1)))
            let dx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let dp = targets.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            Tensor.withData(self, targets, lse, scale) { p in
                withExtendedLifetime((dx, dp)) {
                    Kernels.softCrossEntropyBackward(p[0], p[1], lse: p[2], rowScale: p[3], dx: dx?.storage.base, dp: dp?.storage.base, rows: rows, n: n)
                }
            }
            return [dx, dp]
        }
    }
}
