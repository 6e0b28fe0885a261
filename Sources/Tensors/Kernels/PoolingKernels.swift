/// Max and average pooling over the planes of NCHW images. Every `[H, W]` plane is pooled
/// independently, so the loops split the planes across threads and backward passes never race.
extension Kernels {
    /// Calls `body(plane, output index, input rows, input columns)` for every window of every
    /// plane, planes split across threads (each plane is pooled independently, so writes into a
    /// plane never race).
    @inline(__always)
    private static func forEachWindow(planes: Int, height: Int, width: Int, window w: Window2D,
                                      _ body: (Int, Int, Range<Int>, Range<Int>) -> Void) {
        let oh = w.outputHeight(height), ow = w.outputWidth(width)
        Parallel.forRange(planes, costPerItem: oh * ow * w.kernelHeight * w.kernelWidth) { ps in
            for p in ps {
                for r in 0..<oh {
                    let rows = w.inputRows(ofOutputRow: r, height: height)
                    for c in 0..<ow { body(p, r * ow + c, rows, w.inputColumns(ofOutputColumn: c, width: width)) }
                }
            }
        }
    }

    /// `y[p, oh, ow]` = the largest `x[p, ih, iw]` in the window (padding never wins, as in
    /// PyTorch); `argmax` receives its flat index within the plane for the backward pass.
    public static func maxPool2dForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
        planes: Int, height: Int, width: Int, window w: Window2D
    ) {
        let outputs = w.outputHeight(height) * w.outputWidth(width)
        forEachWindow(planes: planes, height: height, width: width, window: w) { p, o, rows, columns in
            let xp = x + p * height * width
            var best = -Float.infinity, at = rows.lowerBound * width + columns.lowerBound
            for ih in rows {
                for iw in columns where xp[ih * width + iw] > best {
                    best = xp[ih * width + iw]
                    at = ih * width + iw
                }
            }
            y[p * outputs + o] = best
            argmax[p * outputs + o] = Int32(at)
        }
    }

    /// `dx` (overwritten) receives each `dy` at the element its window's maximum came from.
    public static func maxPool2dBackward(
        _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
        planes: Int, height: Int, width: Int, outputCount: Int
    ) {
        Parallel.forRange(planes, costPerItem: height * width + outputCount) { ps in
            for p in ps {
                let dxp = dx + p * height * width, dyp = dy + p * outputCount, ap = argmax + p * outputCount
                dxp.update(repeating: 0, count: height * width)
                for o in 0..<outputCount { dxp[Int(ap[o])] += dyp[o] }
            }
        }
    }

    /// The number of input elements an average divides by for the window at output `(r, c)`:
    /// the whole kernel when padding counts (PyTorch's default `count_include_pad=True`), else
    /// the elements inside the image.
    @inline(__always)
    private static func averageDivisor(_ rows: Range<Int>, _ columns: Range<Int>, _ w: Window2D, countingPadding: Bool) -> Float {
        Float(countingPadding ? w.kernelHeight * w.kernelWidth : rows.count * columns.count)
    }

    /// `y[p, oh, ow]` = the mean of `x[p]` over the window.
    public static func avgPool2dForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        planes: Int, height: Int, width: Int, window w: Window2D, countingPadding: Bool
    ) {
        let outputs = w.outputHeight(height) * w.outputWidth(width)
        forEachWindow(planes: planes, height: height, width: width, window: w) { p, o, rows, columns in
            let xp = x + p * height * width
            var s: Float = 0
            for ih in rows { for iw in columns { s += xp[ih * width + iw] } }
            y[p * outputs + o] = s / averageDivisor(rows, columns, w, countingPadding: countingPadding)
        }
    }

    /// `dx` (overwritten): each `dy` spread evenly over the elements of its window.
    public static func avgPool2dBackward(
        _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        planes: Int, height: Int, width: Int, window w: Window2D, countingPadding: Bool
    ) {
        let outputs = w.outputHeight(height) * w.outputWidth(width)
        // Windows of a plane run in order on one thread, so the plane is zeroed at its first window.
        forEachWindow(planes: planes, height: height, width: width, window: w) { p, o, rows, columns in
            let dxp = dx + p * height * width
            if o == 0 { dxp.update(repeating: 0, count: height * width) }
            let g = dy[p * outputs + o] / averageDivisor(rows, columns, w, countingPadding: countingPadding)
            for ih in rows { for iw in columns { dxp[ih * width + iw] += g } }
        }
    }
}
