import Foundation

/// Softmax and log-softmax over the last axis of `rows x n` buffers.
extension Kernels {
    /// `y = softmax(scale * x + bias)` row by row, stable (the row maximum is subtracted first).
    /// `bias`, when given, holds one row of `n` per `rowsPerBias` consecutive rows of `x`: the
    /// attention mask of one sequence shared by all its heads and query positions.
    public static func softmaxForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int,
        scale: Float = 1, bias: UnsafePointer<Float>? = nil, rowsPerBias: Int = 1
    ) {
        let vectorEnd = n & ~7
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            // The bias row advances every `rowsPerBias` rows: counted, not divided, per row.
            var biasRow = rs.lowerBound / rowsPerBias, untilNextBias = rowsPerBias - rs.lowerBound % rowsPerBias
            for r in rs {
                let xr = x + r * n, yr = y + r * n
                let br = bias.map { $0 + biasRow * n }
                untilNextBias -= 1
                if untilNextBias == 0 { biasRow += 1; untilNextBias = rowsPerBias }
                // Pass 1: scores and their maximum, eight lanes at a time.
                var maxima = Float8(repeating: -.infinity)
                var j = 0
                while j < vectorEnd {
                    var v = xr.load8(j) * scale
                    if let br { v += br.load8(j) }
                    yr.store8(v, j)
                    maxima = Vector.maximum(maxima, v)
                    j += 8
                }
                var m = Vector.horizontalMax(maxima)
                for k in vectorEnd..<n {
                    let v = scale * xr[k] + (br?[k] ?? 0)
                    yr[k] = v
                    m = Swift.max(m, v)
                }
                // Pass 2: exponentials and their sum in the same sweep; pass 3: normalise.
                let shift = Float8(repeating: m)
                var sums = Float8(repeating: 0)
                j = 0
                while j < vectorEnd {
                    let e = FastMath.exp8(yr.load8(j) - shift)
                    yr.store8(e, j)
                    sums += e
                    j += 8
                }
                var sum = Vector.horizontalSum(sums)
                for k in vectorEnd..<n {
                    yr[k] = FastMath.exp(yr[k] - m)
                    sum += yr[k]
                }
                let inv = 1 / sum, invs = Float8(repeating: inv)
                j = 0
                while j < vectorEnd { yr.store8(yr.load8(j) * invs, j); j += 8 }
                for k in vectorEnd..<n { yr[k] *= inv }
            }
        }
    }

    /// `dx = scale * y * (dy - Σ dy·y)` from the forward output `y`.
    public static func softmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int, scale: Float = 1) {
        Parallel.forRange(rows, costPerItem: n * 2) { rs in
            for r in rs {
                let yr = y + r * n, dyr = dy + r * n, dxr = dx + r * n
                let dot = Vector.dot(dyr, yr, n)
                let dots = Float8(repeating: dot), scales = Float8(repeating: scale)
                var j = 0
                while j + 8 <= n { dxr.store8(scales * yr.load8(j) * (dyr.load8(j) - dots), j); j += 8 }
                while j < n { dxr[j] = scale * yr[j] * (dyr[j] - dot); j += 1 }
            }
        }
    }

    /// `y = x - logsumexp(x)` row by row.
    public static func logSoftmaxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            for r in rs {
                let xr = x + r * n, yr = y + r * n
                let lse = rowLogSumExp(xr, n)
                for j in 0..<n { yr[j] = xr[j] - lse }
            }
        }
    }

    /// `dx = dy - exp(y) Σ dy` from the forward output `y`.
    public static func logSoftmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            for r in rs {
                let yr = y + r * n, dyr = dy + r * n, dxr = dx + r * n
                let sum = Vector.sum(dyr, n)
                for j in 0..<n { dxr[j] = dyr[j] - FastMath.exp(yr[j]) * sum }
            }
        }
    }

    /// `log Σ exp(x)`, stable; `-inf` for an empty or all `-inf` row.
    @inline(__always)
    static func rowLogSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let m = Vector.max(x, n)
        if m == -.infinity { return -.infinity }
        return m + Foundation.log(Vector.sumExp(x, shift: m, n))
    }
}
