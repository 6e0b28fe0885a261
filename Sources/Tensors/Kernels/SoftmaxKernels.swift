import CKernels
import Foundation

/// Softmax and log-softmax over the last axis of `rows x n` buffers.
extension Kernels {
    /// `y = softmax(scale * x + bias)` row by row, stable (the row maximum is subtracted first).
    /// `bias`, when given, holds `biasRows` rows of `n` per `rowsPerBias` consecutive rows of `x`,
    /// row `r` of such a group reading bias row `r % biasRows`: with one bias row, the attention
    /// mask of one sequence shared by all its heads and query positions; with one per query
    /// position, a causal mask shared by all heads.
    /// The rows run in C with AVX2/FMA intrinsics (`CKernels`): attention rows are short (one per
    /// key, 32 at the profiled shape), so per-row reductions and fused multiply-adds decide the speed.
    public static func softmaxForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int,
        scale: Float = 1, bias: UnsafePointer<Float>? = nil, rowsPerBias: Int = 1, biasRows: Int = 1
    ) {
        guard n > 0 else { return }
        ensure(rowsPerBias % biasRows == 0, "softmaxForward: \(biasRows) bias rows do not divide groups of \(rowsPerBias) rows")
        Parallel.forRange(rows, costPerItem: n * 4) { rs in
            guard let bias, biasRows > 1 else {
                ck_softmax_forward(x, y, Int64(rs.lowerBound), Int64(rs.upperBound), Int64(n), scale, bias, Int64(rowsPerBias))
                return
            }
            // The C kernel reads one bias row per `rows_per_bias` rows; run it over each cycle of
            // `biasRows` rows with one bias row per row, from that cycle's first.
            var r = rs.lowerBound
            while r < rs.upperBound {
                let cycle = r - r % biasRows, end = Swift.min(rs.upperBound, cycle + biasRows)
                ck_softmax_forward(x + cycle * n, y + cycle * n, Int64(r - cycle), Int64(end - cycle), Int64(n), scale,
                                   bias + (r / rowsPerBias) * biasRows * n, 1)
                r = end
            }
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
