/// Batch normalisation of axis 1 over all other axes, fused: a buffer `[outer, channels, inner]`
/// (`[N, C]` with inner 1, `[N, C, H·W]` for images) is normalised per channel. Work splits over
/// channels, each thread walking its channels' `outer` blocks of `inner` contiguous values.
extension Kernels {
    /// Calls `body` with the start of each contiguous block of channel `c`.
    @inline(__always)
    private static func forEachBlock(ofChannel c: Int, outer: Int, channels: Int, inner: Int, _ body: (Int) -> Void) {
        for o in 0..<outer { body((o * channels + c) * inner) }
    }

    /// Training forward: the batch mean and biased variance of each channel (written to `mean`,
    /// `variance`, with `rstd = 1 / √(variance + eps)`), then
    /// `y = (x - mean) · rstd · weight + bias` (`weight`, `bias` may be `nil`: 1 and 0).
    ///
    /// Statistics are one pass over values shifted by the channel's first element, each block's
    /// eight-lane sums gathered in `Double`: channels of a batch hold 10⁵–10⁶ values, too many to
    /// sum in `Float` without losing digits.
    public static func batchNormForward(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        outer: Int, channels: Int, inner: Int, eps: Float
    ) {
        let count = outer * inner
        Parallel.forRange(channels, costPerItem: count * 3) { cs in
            for c in cs {
                let shift = x[c * inner]
                let shifts = Float8(repeating: shift)
                var sum = 0.0, squares = 0.0
                forEachBlock(ofChannel: c, outer: outer, channels: channels, inner: inner) { start in
                    let xb = x + start
                    var s = Float8(), q = Float8(), j = 0
                    while j + 8 <= inner {
                        let d = xb.load8(j) - shifts
                        s += d
                        q += d * d
                        j += 8
                    }
                    var bs = Double(Vector.horizontalSum(s)), bq = Double(Vector.horizontalSum(q))
                    while j < inner { let d = Double(xb[j] - shift); bs += d; bq += d * d; j += 1 }
                    sum += bs
                    squares += bq
                }
                let shiftedMean = sum / Double(count)
                let v = Swift.max(squares / Double(count) - shiftedMean * shiftedMean, 0)
                mean[c] = Float(Double(shift) + shiftedMean)
                variance[c] = Float(v)
                rstd[c] = Float(1 / (v + Double(eps)).squareRoot())
            }
        }
        batchNormApply(x, mean: mean, rstd: rstd, weight: weight, bias: bias, y, outer: outer, channels: channels, inner: inner)
    }

    /// `y = (x - mean) · rstd · weight + bias` per channel with given statistics (evaluation with
    /// running statistics, and the second half of the training forward).
    public static func batchNormApply(
        _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
        outer: Int, channels: Int, inner: Int
    ) {
        Parallel.forRange(channels, costPerItem: outer * inner * 2) { cs in
            for c in cs {
                // One multiply-add per element: y = x · scale + offset.
                let scale = rstd[c] * (weight?[c] ?? 1)
                let offset = (bias?[c] ?? 0) - mean[c] * scale
                forEachBlock(ofChannel: c, outer: outer, channels: channels, inner: inner) { start in
                    let xb = x + start, yb = y + start
                    for j in 0..<inner { yb[j] = xb[j] * scale + offset }
                }
            }
        }
    }

    /// The gradients of batch normalisation from `dy`: writes `dx` and accumulates (`+=`) into
    /// `dweight` and `dbias` (either may be `nil`).
    ///
    /// With `batchStatistics` the mean and variance were the batch's own, so they depend on `x`:
    /// `dx = rstd·w · (dy - mean(dy) - x̂ · mean(dy·x̂))`. Without, they were constants (running
    /// statistics) and `dx = rstd·w·dy`.
    public static func batchNormBackward(
        _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
        dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        outer: Int, channels: Int, inner: Int, batchStatistics: Bool
    ) {
        let count = outer * inner
        Parallel.forRange(channels, costPerItem: count * 4) { cs in
            for c in cs {
                let m = mean[c], s = rstd[c]
                let mv = Float8(repeating: m)
                // Σ dy and Σ dy·(x - mean), one pass.
                var sumDy = 0.0, sumDyX = 0.0
                forEachBlock(ofChannel: c, outer: outer, channels: channels, inner: inner) { start in
                    let xb = x + start, db = dy + start
                    var a = Float8(), b = Float8(), j = 0
                    while j + 8 <= inner {
                        let d = db.load8(j)
                        a += d
                        b += d * (xb.load8(j) - mv)
                        j += 8
                    }
                    var sa = Double(Vector.horizontalSum(a)), sb = Double(Vector.horizontalSum(b))
                    while j < inner { sa += Double(db[j]); sb += Double(db[j] * (xb[j] - m)); j += 1 }
                    sumDy += sa
                    sumDyX += sb
                }
                let sumDyXhat = Float(sumDyX) * s
                dweight?[c] += sumDyXhat
                dbias?[c] += Float(sumDy)
                guard let dx else { continue }
                let ws = (weight?[c] ?? 1) * s
                // dx = ws·dy - ws·mean(dy) - ws·x̂·mean(dy·x̂), with x̂ = (x - m)·s: one multiply-add
                // per element after folding the constants.
                let meanDy = batchStatistics ? Float(sumDy) / Float(count) : 0
                let slope = batchStatistics ? ws * s * sumDyXhat / Float(count) : 0
                let offset = -ws * meanDy + slope * m
                forEachBlock(ofChannel: c, outer: outer, channels: channels, inner: inner) { start in
                    let xb = x + start, db = dy + start, dxb = dx + start
                    for j in 0..<inner { dxb[j] = ws * db[j] - slope * xb[j] + offset }
                }
            }
        }
    }
}
