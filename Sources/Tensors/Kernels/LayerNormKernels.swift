/// Layer normalisation over the last axis, fused: statistics in one pass and output in another forward;
/// input and parameter gradients in one row pass backward. The loops over a row are written with
/// eight-lane vectors: the buffers are separate pointers the optimiser cannot prove apart.
extension Kernels {
    /// `y = (x - mean) * rstd * weight + bias` per row of `n`; saves `mean` and `rstd` (one per row).
    public static func layerNormForward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        rows: Int, n: Int, eps: Float
    ) {
        Parallel.forRange(rows, costPerItem: n * 3) { rs in
            for r in rs {
                let xr = x + r * n, yr = y + r * n
                // Mean and variance in one pass over the row, of values shifted by the row's first
                // element: the shift keeps Σd² - (Σd)²/n free of the cancellation that unshifted
                // sums of squares suffer when the mean is large against the spread.
                let shift = xr[0]
                let shifts = Float8(repeating: shift)
                var sums = Float8(), squares = Float8(), k = 0
                while k + 8 <= n {
                    let d = xr.load8(k) - shifts
                    sums += d
                    squares += d * d
                    k += 8
                }
                var s = Vector.horizontalSum(sums), q = Vector.horizontalSum(squares)
                while k < n { let d = xr[k] - shift; s += d; q += d * d; k += 1 }
                let shiftedMean = s / Float(n)
                let m = shift + shiftedMean
                let variance = Swift.max(q / Float(n) - shiftedMean * shiftedMean, 0)
                let rs = 1 / (variance + eps).squareRoot()
                let mv = Float8(repeating: m), sv = Float8(repeating: rs)
                var j = 0
                while j + 8 <= n {
                    yr.store8((xr.load8(j) - mv) * sv * weight.load8(j) + bias.load8(j), j)
                    j += 8
                }
                while j < n { yr[j] = (xr[j] - m) * rs * weight[j] + bias[j]; j += 1 }
                mean[r] = m
                rstd[r] = rs
            }
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
        let chunks = Parallel.chunkCount(rows, costPerItem: n * 4)
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunks, 1) * 2 * n)
        defer { partials.deallocate() }
        partials.update(repeating: 0, count: Swift.max(chunks, 1) * 2 * n)
        Parallel.forChunks(rows, costPerItem: n * 4) { chunk, rs in
            let pw = partials + chunk * 2 * n, pb = pw + n
            for r in rs {
                let xr = x + r * n, dyr = dy + r * n, dxr = dx + r * n
                let m = mean[r], s = rstd[r]
                // Σ g and Σ g·(x - m) with g = dy·w, in one vector pass.
                var accG = Float8(), accGX = Float8(), j = 0
                let mv = Float8(repeating: m)
                while j + 8 <= n {
                    let g = dyr.load8(j) * weight.load8(j)
                    accG += g
                    accGX += g * (xr.load8(j) - mv)
                    j += 8
                }
                var sumG = Vector.horizontalSum(accG), sumGX = Vector.horizontalSum(accGX)
                while j < n { let g = dyr[j] * weight[j]; sumG += g; sumGX += g * (xr[j] - m); j += 1 }
                let meanG = sumG / Float(n), meanGX = sumGX * s / Float(n)
                let sv = Float8(repeating: s), meanGv = Float8(repeating: meanG), meanGXv = Float8(repeating: meanGX)
                j = 0
                while j + 8 <= n {
                    let d = dyr.load8(j)
                    let xhat = (xr.load8(j) - mv) * sv
                    dxr.store8(sv * (d * weight.load8(j) - meanGv - xhat * meanGXv), j)
                    pw.store8(pw.load8(j) + d * xhat, j)
                    pb.store8(pb.load8(j) + d, j)
                    j += 8
                }
                while j < n {
                    let xhat = (xr[j] - m) * s
                    dxr[j] = s * (dyr[j] * weight[j] - meanG - xhat * meanGX)
                    pw[j] += dyr[j] * xhat
                    pb[j] += dyr[j]
                    j += 1
                }
            }
        }
        for chunk in 0..<chunks {
            let pw = partials + chunk * 2 * n, pb = pw + n
            if let dweight { for j in 0..<n { dweight[j] += pw[j] } }
            if let dbias { for j in 0..<n { dbias[j] += pb[j] } }
        }
    }
}
