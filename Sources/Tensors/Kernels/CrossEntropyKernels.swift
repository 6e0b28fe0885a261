/// Cross-entropy fused with log-softmax over the last axis of `rows x n` logits.
extension Kernels {
    /// Per-row loss `lse(x) - x[target]` for integer targets; rows whose target is `ignoreIndex`
    /// get loss 0. Saves the row log-sum-exp for the backward.
    public static func crossEntropyForward(
        _ x: UnsafePointer<Float>, targets: UnsafePointer<Int>, ignoreIndex: Int,
        loss: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>, rows: Int, n: Int
    ) {
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            for r in rs {
                let xr = x + r * n
                let l = rowLogSumExp(xr, n)
                lse[r] = l
                let t = targets[r]
                loss[r] = t == ignoreIndex ? 0 : l - xr[t]
            }
        }
    }

    /// `dx[r] = rowScale[r] * (softmax(x[r]) - onehot(target[r]))`; zero for ignored rows.
    public static func crossEntropyBackward(
        _ x: UnsafePointer<Float>, targets: UnsafePointer<Int>, ignoreIndex: Int, lse: UnsafePointer<Float>,
        rowScale: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int
    ) {
        Parallel.forRange(rows, costPerItem: n * 2) { rs in
            for r in rs {
                let xr = x + r * n, dxr = dx + r * n
                let t = targets[r]
                if t == ignoreIndex {
                    dxr.update(repeating: 0, count: n)
                    continue
                }
                let g = rowScale[r], l = lse[r]
                for j in 0..<n { dxr[j] = g * FastMath.exp(xr[j] - l) }
                dxr[t] -= g
            }
        }
    }

    /// Per-row loss `-Σ_j p[j] log softmax(x)[j] = lse(x) Σ p - Σ p x` for soft targets `p`.
    public static func softCrossEntropyForward(
        _ x: UnsafePointer<Float>, _ p: UnsafePointer<Float>, loss: UnsafeMutablePointer<Float>,
        lse: UnsafeMutablePointer<Float>, rows: Int, n: Int
    ) {
        Parallel.forRange(rows, costPerItem: n * 5) { rs in
            for r in rs {
                let xr = x + r * n, pr = p + r * n
                let l = rowLogSumExp(xr, n)
                lse[r] = l
                loss[r] = l * Vector.sum(pr, n) - Vector.dot(pr, xr, n)
            }
        }
    }

    /// Gradients of the soft cross-entropy: `dx = g (softmax(x) Σp - p)`, `dp = -g log softmax(x)`
    /// (either may be `nil`), with `g = rowScale[r]`.
    public static func softCrossEntropyBackward(
        _ x: UnsafePointer<Float>, _ p: UnsafePointer<Float>, lse: UnsafePointer<Float>, rowScale: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dp: UnsafeMutablePointer<Float>?, rows: Int, n: Int
    ) {
        Parallel.forRange(rows, costPerItem: n * 5) { rs in
            for r in rs {
                let xr = x + r * n, pr = p + r * n
                let g = rowScale[r], l = lse[r]
                if let dx {
                    let sp = Vector.sum(pr, n)
                    let dxr = dx + r * n
                    for j in 0..<n { dxr[j] = g * (FastMath.exp(xr[j] - l) * sp - pr[j]) }
                }
                if let dp {
                    let dpr = dp + r * n
                    for j in 0..<n { dpr[j] = -g * (xr[j] - l) }
                }
            }
        }
    }
}
