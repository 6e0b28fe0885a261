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
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            for r in rs {
                let xr = x + r * n, yr = y + r * n
                if let bias {
                    let br = bias + (r / rowsPerBias) * n
                    for j in 0..<n { yr[j] = scale * xr[j] + br[j] }
                } else {
                    for j in 0..<n { yr[j] = scale * xr[j] }
                }
                let m = Vector.max(yr, n)
                for j in 0..<n { yr[j] = FastMath.exp(yr[j] - m) }
                let inv = 1 / Vector.sum(yr, n)
                for j in 0..<n { yr[j] *= inv }
            }
        }
    }

    /// `dx = scale * y * (dy - Σ dy·y)` from the forward output `y`.
    public static func softmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int, scale: Float = 1) {
        Parallel.forRange(rows, costPerItem: n * 2) { rs in
            for r in rs {
                let yr = y + r * n, dyr = dy + r * n, dxr = dx + r * n
                let dot = Vector.dot(dyr, yr, n)
                for j in 0..<n { dxr[j] = scale * yr[j] * (dyr[j] - dot) }
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
