/// L2 normalisation of rows: `y = x / max(‖x‖, eps)` (PyTorch's `F.normalize`).
extension Kernels {
    /// Writes `y` and the per-row divisor `norm = max(‖x‖, eps)`.
    public static func l2NormalizeForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, norm: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        Parallel.forRange(rows, costPerItem: n * 2) { rs in
            for r in rs {
                let xr = x + r * n, yr = y + r * n
                let d = Swift.max(Vector.dot(xr, xr, n).squareRoot(), eps)
                norm[r] = d
                let inv = 1 / d
                for j in 0..<n { yr[j] = xr[j] * inv }
            }
        }
    }

    /// `dx = (dy - y Σ dy·y) / norm` where the norm exceeded `eps`, else `dy / eps`.
    public static func l2NormalizeBackward(_ y: UnsafePointer<Float>, norm: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        Parallel.forRange(rows, costPerItem: n * 2) { rs in
            for r in rs {
                let yr = y + r * n, dyr = dy + r * n, dxr = dx + r * n
                let d = norm[r], inv = 1 / d
                if d <= eps {
                    for j in 0..<n { dxr[j] = dyr[j] * inv }
                    continue
                }
                let dot = Vector.dot(dyr, yr, n)
                for j in 0..<n { dxr[j] = (dyr[j] - yr[j] * dot) * inv }
            }
        }
    }
}
