import Foundation

/// Reductions along one axis of a buffer viewed as `outer x n x inner`.
extension Kernels {
    /// The reductions along an axis.
    public enum Reduction: Sendable { case sum, max, logSumExp }

    /// `y[i] = Σ_k x[k, i]` for the columns `cols` of a row-major `[n, inner]` block: 32 columns (two
    /// cache lines of each row) then 8 summed in registers down all the rows, then one by one. Each
    /// column's sum runs in row order.
    private static func sumColumns(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int, inner: Int, _ cols: Range<Int>) {
        var i = cols.lowerBound
        while i + 32 <= cols.upperBound {
            var (a, b, c, d) = (Float8(), Float8(), Float8(), Float8())
            for k in 0..<n {
                let row = x + k * inner + i
                a += row.load8(0)
                b += row.load8(8)
                c += row.load8(16)
                d += row.load8(24)
            }
            y.store8(a, i)
            y.store8(b, i + 8)
            y.store8(c, i + 16)
            y.store8(d, i + 24)
            i += 32
        }
        while i + 8 <= cols.upperBound {
            var a = Float8()
            for k in 0..<n { a += (x + k * inner + i).load8(0) }
            y.store8(a, i)
            i += 8
        }
        while i < cols.upperBound {
            var sum: Float = 0
            for k in 0..<n { sum += x[k * inner + i] }
            y[i] = sum
            i += 1
        }
    }

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
                Parallel.forRange(inner, costPerItem: n) { cols in sumColumns(x + o * n * inner, y + o * inner, n: n, inner: inner, cols) }
            }
            return
        }
        Parallel.forRange(outer, costPerItem: n * inner * 2) { os in
            for o in os {
                let xo = x + o * n * inner, yo = y + o * inner
                switch kind {
                case .sum:
                    sumColumns(xo, yo, n: n, inner: inner, 0..<inner)
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
