/// The element-wise updates of the optimizers, eight lanes at a time (the scalar loop does not
/// vectorise: its buffers may alias as far as the compiler knows). Lanes compute exactly the
/// scalar expressions, so results do not depend on where a buffer's eight-lane blocks start.
extension Kernels {
    /// One AdamW update (PyTorch's order of operations, see `AdamW` in NeuralNetworks) of `count`
    /// parameters `p` with gradients `g` and moments `m`, `v`, updated in place:
    /// `m += (1 - β₁)(g - m)`, `v = β₂·v + (1 - β₂)·g·g`, `p = p·decay - stepSize · m / (√v / correction2 + ε)`.
    public static func adamWUpdate(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, expAvg m: UnsafeMutablePointer<Float>, expAvgSq v: UnsafeMutablePointer<Float>,
        count: Int, beta1: Float, beta2: Float, eps: Float, decay: Float, stepSize: Float, correction2: Float
    ) {
        let (w1, w2) = (1 - beta1, 1 - beta2)
        Parallel.forRange(count, costPerItem: 8) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let gi = g.load8(i)
                let mi = m.load8(i) + w1 * (gi - m.load8(i))
                let vi = v.load8(i) * beta2 + w2 * gi * gi
                let denominator = vi.squareRoot() / correction2 + eps
                m.store8(mi, i)
                v.store8(vi, i)
                p.store8(p.load8(i) * decay - stepSize * (mi / denominator), i)
                i += 8
            }
            while i < range.upperBound {
                let gi = g[i]
                m[i] += w1 * (gi - m[i])
                v[i] = v[i] * beta2 + w2 * gi * gi
                let denominator = v[i].squareRoot() / correction2 + eps
                p[i] = p[i] * decay - stepSize * (m[i] / denominator)
                i += 1
            }
        }
    }
}
