import Foundation

/// Reductions along one axis of a buffer viewed as `outer x n x inner`.
extension Kernels {
    /// The reductions along an axis.
    public enum Reduction: Sendable { case sum, max, logSumExp }

    /// `y[o, i] = reduce_k x[o, k, i]`. For `.max`, `argmax` (when given) receives the winning `k`.
    public static func reduce(_ kind: Reduction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int>? = nil, outer: Int, n: Int, inner: Int) {
        if inner == 1 {
            Parallel.forRange(outer, costPerItem: n * 2) { os in
                for o in os {
                    let xr = x + o * n
                    switch kind {
                    case .sum:
                        y[o] = Vector.sum(xr, n)
                    case .max:
                        var best = -Float.infinity, at = 0
                        for k in 0..<n where xr[k] > best || k == 0 { best = xr[k]; at = k }
                        y[o] = best
                        argmax?[o] = at
                    case .logSumExp:
                        y[o] = rowLogSumExp(xr, n)
                    }
                }
            }
            return
        }
        if kind == .sum && outer < Parallel.threadCount {
            // Few outer blocks (a bias gradient: the sum over all rows): split the columns instead.
            for o in 0..<outer {
                let xo = x + o * n * inner, yo = y + o * inner
                Parallel.forRange(inner, costPerItem: n) { cols in
                    for i in cols { yo[i] = 0 }
                    for k in 0..<n {
                        let row = xo + k * inner
                        for i in cols { yo[i] += row[i] }
                    }
                }
            }
            return
        }
        Parallel.forRange(outer, costPerItem: n * inner * 2) { os in
            for o in os {
                let xo = x + o * n * inner, yo = y + o * inner
                switch kind {
                case .sum:
                    yo.update(repeating: 0, count: inner)
                    for k in 0..<n { for i in 0..<inner { yo[i] += xo[k * inner + i] } }
                case .max, .logSumExp:
                    for i in 0..<inner {
                        var best = -Float.infinity, at = 0
                        for k in 0..<n where xo[k * inner + i] > best || k == 0 { best = xo[k * inner + i]; at = k }
                        if kind == .max {
                            yo[i] = best
                            argmax?[o * inner + i] = at
                        } else if best == -.infinity {
                            yo[i] = best
                        } else {
                            var s: Float = 0
                            for k in 0..<n { s += FastMath.exp(xo[k * inner + i] - best) }
                            yo[i] = best + Foundation.log(s)
                        }
                    }
                }
            }
        }
    }
}
