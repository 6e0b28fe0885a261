/// Batch normalisation of axis 1 over all other axes, fused: a buffer `[outer, channels, inner]`
/// (`[N, C]` with inner 1, `[N, C, H·W]` for images) is normalised per channel. Every pass walks
/// the buffer in memory order, a range of `outer` at a time: per channel it would jump between
/// `outer` blocks of `inner` values (196 bytes for a 7×7 map), which the prefetchers follow badly.
extension Kernels {
    /// Per-channel sums of `term(c, block of channel c)` over the buffer, in `Double`: the
    /// `outer` axis is cut into at most 8 fixed ranges summed in parallel, then added in order,
    /// so the result does not depend on the thread count.
    @inline(__always)
    private static func channelSums(
        outer: Int, channels: Int, inner: Int, _ term: (_ c: Int, _ start: Int) -> (Double, Double)
    ) -> (first: [Double], second: [Double]) {
        let perRange = Swift.max((outer + 7) / 8, 1), ranges = (outer + perRange - 1) / perRange
        var first = [Double](repeating: 0, count: ranges * channels), second = first
        first.withUnsafeMutableBufferPointer { a in
            second.withUnsafeMutableBufferPointer { b in
                let (a, b) = (a.baseAddress!, b.baseAddress!)
                Parallel.forRange(ranges, costPerItem: perRange * channels * inner * 3) { rs in
                    for r in rs {
                        for o in (r * perRange)..<Swift.min((r + 1) * perRange, outer) {
                            for c in 0..<channels {
                                let (u, v) = term(c, (o * channels + c) * inner)
                                a[r * channels + c] += u
                                b[r * channels + c] += v
                            }
                        }
                    }
                }
            }
        }
        var totals = ([Double](repeating: 0, count: channels), [Double](repeating: 0, count: channels))
        for r in 0..<ranges {
            for c in 0..<channels {
                totals.0[c] += first[r * channels + c]
                totals.1[c] += second[r * channels + c]
            }
        }
        return totals
    }

    /// `out = a · u + b · v + k` per channel (`v` may be `nil`), in memory order.
    @inline(__always)
    private static func channelAffine(
        _ u: UnsafePointer<Float>, _ a: [Float], _ v: UnsafePointer<Float>?, _ b: [Float], _ k: [Float],
        _ out: UnsafeMutablePointer<Float>, outer: Int, channels: Int, inner: Int
    ) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                k.withUnsafeBufferPointer { k in
                    Parallel.forRange(outer, costPerItem: channels * inner * 2) { os in
                        for o in os {
                            for c in 0..<channels {
                                let start = (o * channels + c) * inner
                                let ub = u + start, ob = out + start
                                let (ac, kc) = (a[c], k[c])
                                if let v {
                                    let vb = v + start, bc = b[c]
                                    for j in 0..<inner { ob[j] = ac * ub[j] + bc * vb[j] + kc }
                                } else {
                                    for j in 0..<inner { ob[j] = ac * ub[j] + kc }
                                }
                            }
                        }
                    }
                }
            }
        }
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
        guard count > 0 else { return }
        let shift = (0..<channels).map { x[$0 * inner] }
        let (sums, squares) = shift.withUnsafeBufferPointer { shift in
            channelSums(outer: outer, channels: channels, inner: inner) { c, start in
                let xb = x + start, sc = shift[c], shifts = Float8(repeating: sc)
                var s = Float8(), q = Float8(), j = 0
                while j + 8 <= inner {
                    let d = xb.load8(j) - shifts
                    s += d
                    q += d * d
                    j += 8
                }
                var bs = Double(Vector.horizontalSum(s)), bq = Double(Vector.horizontalSum(q))
                while j < inner { let d = Double(xb[j] - sc); bs += d; bq += d * d; j += 1 }
                return (bs, bq)
            }
        }
        for c in 0..<channels {
            let shiftedMean = sums[c] / Double(count)
            let v = Swift.max(squares[c] / Double(count) - shiftedMean * shiftedMean, 0)
            mean[c] = Float(Double(shift[c]) + shiftedMean)
            variance[c] = Float(v)
            rstd[c] = Float(1 / (v + Double(eps)).squareRoot())
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
        // One multiply-add per element: y = x · scale + offset.
        let scale = (0..<channels).map { rstd[$0] * (weight?[$0] ?? 1) }
        let offset = (0..<channels).map { (bias?[$0] ?? 0) - mean[$0] * scale[$0] }
        channelAffine(x, scale, nil, [], offset, y, outer: outer, channels: channels, inner: inner)
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
        guard count > 0 else { return }
        // Σ dy and Σ dy·(x - mean), one pass.
        let (sumDy, sumDyX) = channelSums(outer: outer, channels: channels, inner: inner) { c, start in
            let xb = x + start, db = dy + start, m = mean[c], mv = Float8(repeating: m)
            var a = Float8(), b = Float8(), j = 0
            while j + 8 <= inner {
                let d = db.load8(j)
                a += d
                b += d * (xb.load8(j) - mv)
                j += 8
            }
            var sa = Double(Vector.horizontalSum(a)), sb = Double(Vector.horizontalSum(b))
            while j < inner { sa += Double(db[j]); sb += Double(db[j] * (xb[j] - m)); j += 1 }
            return (sa, sb)
        }
        var dyScale = [Float](repeating: 0, count: channels), xScale = dyScale, offset = dyScale
        for c in 0..<channels {
            let s = rstd[c], sumDyXhat = Float(sumDyX[c]) * s
            dweight?[c] += sumDyXhat
            dbias?[c] += Float(sumDy[c])
            // dx = ws·dy - ws·mean(dy) - ws·x̂·mean(dy·x̂), with x̂ = (x - m)·s: one multiply-add
            // per element after folding the constants.
            let ws = (weight?[c] ?? 1) * s
            let meanDy = batchStatistics ? Float(sumDy[c]) / Float(count) : 0
            let slope = batchStatistics ? ws * s * sumDyXhat / Float(count) : 0
            (dyScale[c], xScale[c], offset[c]) = (ws, -slope, -ws * meanDy + slope * mean[c])
        }
        guard let dx else { return }
        channelAffine(dy, dyScale, x, xScale, offset, dx, outer: outer, channels: channels, inner: inner)
    }
}
