import CKernels
import Foundation

/// Softmax and log-softmax over the last axis of `rows x n` buffers.
extension Kernels {
    /// `y = softmax(scale * x + bias)` row by row, stable (the row maximum is subtracted first).
    /// `bias`, when given, holds one row of `n` per `rowsPerBias` consecutive rows of `x`: the
    /// attention mask of one sequence shared by all its heads and query positions.
    /// The rows run in C with AVX2/FMA intrinsics (`CKernels`): attention rows are short (one per
    /// key, 32 at the profiled shape), so per-row reductions and fused multiply-adds decide the speed.
    public static func softmaxForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int,
        scale: Float = 1, bias: UnsafePointer<Float>? = nil, rowsPerBias: Int = 1
    ) {
        guard n > 0 else { return }
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            ck_softmax_forward(x, y, Int64(rs.lowerBound), Int64(rs.upperBound), Int64(n), scale, bias, Int64(rowsPerBias))
        }
    }

    /// `dx = scale * y * (dy - Σ dy·y)` from the forward output `y`.
    public static func softmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int, scale: Float = 1) {
        guard n > 0 else { return }
        Parallel.forRange(rows, costPerItem: n * 2) { rs in
            ck_softmax_backward(y, dy, dx, Int64(rs.lowerBound), Int64(rs.upperBound), Int64(n), scale)
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
