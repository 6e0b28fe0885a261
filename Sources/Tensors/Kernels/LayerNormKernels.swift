import CKernels

/// Layer normalisation over the last axis, fused: statistics in one pass and output in another forward;
/// input and parameter gradients in one row pass backward.
extension Kernels {
    /// `y = (x - mean) * rstd * weight + bias` per row of `n`; saves `mean` and `rstd` (one per row).
    /// Statistics in one shifted pass and the output in another, in C with FMA (`CKernels`).
    public static func layerNormForward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        rows: Int, n: Int, eps: Float
    ) {
        guard n > 0 else { return }
        Parallel.forRange(rows, costPerItem: n * 3) { rs in
            ck_layer_norm_forward(x, weight, bias, y, mean, rstd, Int64(rs.lowerBound), Int64(rs.upperBound), Int64(n), eps)
        }
    }

    /// Writes `dx` and accumulates (`+=`) into `dweight` and `dbias`, in one pass over the rows:
    /// each chunk of rows sums its parameter gradients into its own partial buffers, which are
    /// added at the end (instead of reading `x` and `dy` a second time, by columns).
    public static func layerNormBackward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?, rows: Int, n: Int
    ) {
        guard n > 0 else { return }
        let chunks = Parallel.chunkCount(rows, costPerItem: n * 4)
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunks, 1) * 2 * n)
        defer { partials.deallocate() }
        partials.update(repeating: 0, count: Swift.max(chunks, 1) * 2 * n)
        Parallel.forChunks(rows, costPerItem: n * 4) { chunk, rs in
            let pw = partials + chunk * 2 * n
            ck_layer_norm_backward(x, weight, mean, rstd, dy, dx, pw, pw + n, Int64(rs.lowerBound), Int64(rs.upperBound), Int64(n))
        }
        for chunk in 0..<chunks {
            let pw = partials + chunk * 2 * n, pb = pw + n
            if let dweight { for j in 0..<n { dweight[j] += pw[j] } }
            if let dbias { for j in 0..<n { dbias[j] += pb[j] } }
        }
    }
}
