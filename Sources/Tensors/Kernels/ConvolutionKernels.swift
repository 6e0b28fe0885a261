/// 2-D convolution of NCHW images as im2col + GEMM.
///
/// Each image's receptive fields are unrolled into a column matrix `[C·kh·kw, OH·OW]` and the
/// convolution becomes one GEMM with the weight `[Cout, C·kh·kw]`. The batch is split across the
/// threads, each unrolling its own images into its own scratch matrix (which stays in cache; small
/// images go several side by side so that the GEMM is wide enough) and running its GEMMs; oneDNN
/// runs a GEMM called inside the parallel region on the calling thread. A single image instead
/// runs one multi-threaded GEMM. The backward recomputes the columns rather than keeping a
/// batch-sized column matrix alive between the passes.
extension Kernels {
    /// The extents of a convolution: input `[batch, inputChannels, height, width]`, weight
    /// `[outputChannels, inputChannels, kh, kw]`, output `[batch, outputChannels, outputHeight, outputWidth]`.
    public struct Convolution2DShape: Sendable, Equatable {
        public var batch: Int, inputChannels: Int, height: Int, width: Int, outputChannels: Int
        public var window: Window2D

        public init(batch: Int, inputChannels: Int, height: Int, width: Int, outputChannels: Int, window: Window2D) {
            self.batch = batch
            self.inputChannels = inputChannels
            self.height = height
            self.width = width
            self.outputChannels = outputChannels
            self.window = window
        }

        public var outputHeight: Int { window.outputHeight(height) }
        public var outputWidth: Int { window.outputWidth(width) }
        /// Rows of the column matrix: `inputChannels · kh · kw` (the GEMMs' inner dimension).
        var columnRows: Int { inputChannels * window.kernelHeight * window.kernelWidth }
        /// Columns of the column matrix: output positions per image.
        var columnCount: Int { outputHeight * outputWidth }
        /// Multiply-adds of one image's forward GEMM, times two: the floating-point operations.
        public var forwardFlopsPerImage: Int { 2 * outputChannels * columnRows * columnCount }
    }

    /// The output columns `[start, end)` whose input column `o·stride - padding + offset` lies in `0..<extent`.
    @inline(__always)
    private static func validRange(extent: Int, outputs: Int, stride: Int, padding: Int, offset: Int) -> (Int, Int) {
        let first = padding - offset, last = extent - 1 + padding - offset
        let start = first > 0 ? (first + stride - 1) / stride : 0
        let end = last < 0 ? 0 : Swift.min(outputs, last / stride + 1)
        return (Swift.min(start, outputs), Swift.max(end, Swift.min(start, outputs)))
    }

    /// Whether rows of the column matrix line up with rows of the image (unit strides and an output
    /// as wide as the input: a "same" convolution), so that each row `(c, i, j)` is the image plane
    /// shifted by a constant offset, copied in one run instead of one short segment per output row.
    private static func rowsLineUp(_ w: Window2D, width: Int) -> Bool {
        w.strideHeight == 1 && w.strideWidth == 1 && w.outputWidth(width) == width
    }

    /// Zeroes the columns outside `valid` of `rows` of a row-major block `width` wide: in an
    /// aligned column row, the entries that wrapped around an image row's edge.
    private static func zeroOutside(_ valid: Range<Int>, ofRows rows: Range<Int>, in block: UnsafeMutablePointer<Float>, width: Int) {
        for r in rows {
            for o in 0..<valid.lowerBound { block[r * width + o] = 0 }
            for o in valid.upperBound..<width { block[r * width + o] = 0 }
        }
    }

    /// Unrolls one image `x` `[C, H, W]` into the column matrix `col` `[C·kh·kw, OH·OW]` whose rows
    /// start `ld` floats apart (`ld ≥ OH·OW`: several images side by side): row `(c, i, j)`,
    /// column `(oh, ow)` holds `x[c, oh·sh - ph + i, ow·sw - pw + j]`, or 0 in the padding.
    public static func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int,
                              channels: Int, height: Int, width: Int, window w: Window2D) {
        let oh = w.outputHeight(height), ow = w.outputWidth(width)
        let aligned = rowsLineUp(w, width: width)
        var row = col
        for c in 0..<channels {
            let plane = x + c * height * width
            for i in 0..<w.kernelHeight {
                for j in 0..<w.kernelWidth {
                    let (start, end) = validRange(extent: width, outputs: ow, stride: w.strideWidth, padding: w.paddingWidth, offset: j)
                    if aligned {
                        // Output (r, o) reads plane element (r + i - ph)·W + o + j - pw: one shifted run,
                        // then the columns that wrapped around a row edge are zeroed.
                        let (first, last) = validRange(extent: height, outputs: oh, stride: 1, padding: w.paddingHeight, offset: i)
                        row.update(repeating: 0, count: first * ow)
                        (row + last * ow).update(repeating: 0, count: (oh - last) * ow)
                        if first < last {
                            let lower = first * ow + start, upper = (last - 1) * ow + end
                            (row + lower).update(from: plane + (i - w.paddingHeight) * width + j - w.paddingWidth + lower, count: upper - lower)
                            zeroOutside(start..<end, ofRows: first..<last, in: row, width: ow)
                        }
                        row += ld
                        continue
                    }
                    for r in 0..<oh {
                        let dst = row + r * ow
                        let ih = r * w.strideHeight - w.paddingHeight + i
                        // Plain loops rather than memcpy/memset: the segments are a few dozen floats.
                        guard ih >= 0 && ih < height else {
                            for o in 0..<ow { dst[o] = 0 }
                            continue
                        }
                        let src = plane + ih * width - w.paddingWidth + j
                        for o in 0..<start { dst[o] = 0 }
                        var o = start
                        if w.strideWidth == 2 {
                            // Every other element, eight at a time from sixteen loaded; the loads stop
                            // one pair short of the last so that they never read past it.
                            while o + 8 < end {
                                dst.store8(UnsafeRawPointer(src + 2 * o).loadUnaligned(as: SIMD16<Float>.self).evenHalf, o)
                                o += 8
                            }
                        }
                        while o < end { dst[o] = src[o * w.strideWidth]; o += 1 }
                        for o in end..<ow { dst[o] = 0 }
                    }
                    row += ld
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each entry of `col` (rows `ld` apart) into the element of `dx`
    /// `[C, H, W]` it was read from. `dx` is accumulated into. `col` is scratch: its entries that
    /// fall in the padding may be overwritten with zeros.
    public static func col2im(_ col: UnsafeMutablePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>,
                              channels: Int, height: Int, width: Int, window w: Window2D) {
        let oh = w.outputHeight(height), ow = w.outputWidth(width)
        let aligned = rowsLineUp(w, width: width)
        var row = col
        for c in 0..<channels {
            let plane = dx + c * height * width
            for i in 0..<w.kernelHeight {
                for j in 0..<w.kernelWidth {
                    let (start, end) = validRange(extent: width, outputs: ow, stride: w.strideWidth, padding: w.paddingWidth, offset: j)
                    if aligned {
                        // The shifted run of `im2col` in reverse, after zeroing the wrapped-around columns.
                        let (first, last) = validRange(extent: height, outputs: oh, stride: 1, padding: w.paddingHeight, offset: i)
                        if first < last {
                            zeroOutside(start..<end, ofRows: first..<last, in: row, width: ow)
                            let lower = first * ow + start, upper = (last - 1) * ow + end
                            addInPlaceSerial(plane + (i - w.paddingHeight) * width + j - w.paddingWidth + lower, row + lower, upper - lower)
                        }
                        row += ld
                        continue
                    }
                    for r in 0..<oh {
                        let ih = r * w.strideHeight - w.paddingHeight + i
                        guard ih >= 0 && ih < height else { continue }
                        let src = row + r * ow, dst = plane + ih * width - w.paddingWidth + j
                        var o = start
                        if w.strideWidth == 2 {
                            // Eight columns into every other element of sixteen (the odd ones get 0),
                            // stopping one pair short of the last as `im2col` does.
                            while o + 8 < end {
                                let target = UnsafeMutableRawPointer(dst + 2 * o)
                                var sum = target.loadUnaligned(as: SIMD16<Float>.self)
                                sum.evenHalf += src.load8(o)
                                target.storeBytes(of: sum, as: SIMD16<Float>.self)
                                o += 8
                            }
                        }
                        while o < end { dst[o * w.strideWidth] += src[o]; o += 1 }
                    }
                    row += ld
                }
            }
        }
    }

    /// `dst += src` on the calling thread, eight lanes at a time.
    @inline(__always)
    private static func addInPlaceSerial(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        var k = 0
        while k + 8 <= n {
            dst.store8(dst.load8(k) + src.load8(k), k)
            k += 8
        }
        while k < n { dst[k] += src[k]; k += 1 }
    }

    /// Images unrolled side by side into one column matrix: enough output columns (about 512) that
    /// the GEMMs are not too thin to run at full speed (a 7x7 map has 49 per image).
    static func imagesPerProduct(_ s: Convolution2DShape) -> Int { Swift.max(1, 512 / Swift.max(s.columnCount, 1)) }

    /// Copies `count` images' `[rows, l]` blocks between the batch layout (`batched`, image after
    /// image) and a matrix `[rows, count·l]` holding the images side by side (`grouped`).
    private static func regroup(_ batched: UnsafeMutablePointer<Float>, _ grouped: UnsafeMutablePointer<Float>,
                                count: Int, rows: Int, l: Int, toGrouped: Bool) {
        for image in 0..<count {
            for r in 0..<rows {
                let b = batched + (image * rows + r) * l, g = grouped + r * count * l + image * l
                if toGrouped { g.update(from: b, count: l) } else { b.update(from: g, count: l) }
            }
        }
    }

    /// `y = conv(x, weight) + bias`: `x` `[N, C, H, W]`, `weight` `[Cout, C, kh, kw]`, `bias`
    /// `[Cout]` or `nil`, `y` `[N, Cout, OH, OW]`.
    public static func conv2dForward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, shape s: Convolution2DShape
    ) {
        let k = s.columnRows, l = s.columnCount, cout = s.outputChannels, imageSize = s.inputChannels * s.height * s.width
        Parallel.forRange(s.batch, costPerItem: s.forwardFlopsPerImage) { images in
            let group = Swift.min(imagesPerProduct(s), images.count)
            // A single 1x1 unit-stride image is its own column matrix, and writes its own output.
            let direct = s.window.isIdentity && group == 1
            let columns = direct ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * group * l)
            let products = group == 1 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: cout * group * l)
            defer { columns?.deallocate(); products?.deallocate() }
            for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
                let count = Swift.min(group, images.upperBound - first), width = count * l
                if let columns {
                    for image in 0..<count {
                        im2col(x + (first + image) * imageSize, columns + image * l, ld: width,
                               channels: s.inputChannels, height: s.height, width: s.width, window: s.window)
                    }
                }
                let target = count == 1 ? y + first * cout * l : products!
                if let bias { for o in 0..<cout { for j in 0..<width { target[o * width + j] = bias[o] } } }
                GEMM.multiply(transposeA: false, transposeB: false, m: cout, n: width, k: k, a: weight, lda: k,
                              b: columns.map { UnsafePointer($0) } ?? x + first * imageSize, ldb: width,
                              beta: bias == nil ? 0 : 1, c: target, ldc: width)
                if count > 1 { regroup(y + first * cout * l, target, count: count, rows: cout, l: l, toGrouped: false) }
            }
        }
    }

    /// The gradients of `conv2dForward` from `dy` `[N, Cout, OH, OW]`: writes `dx` and accumulates
    /// (`+=`) into `dweight` and `dbias`; any of them may be `nil` when not needed. Each thread sums
    /// the weight and bias gradients of its images into its own partial buffers, added at the end.
    public static func conv2dBackward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        shape s: Convolution2DShape
    ) {
        let k = s.columnRows, l = s.columnCount, cout = s.outputChannels, imageSize = s.inputChannels * s.height * s.width
        let cost = s.forwardFlopsPerImage * ((dx != nil ? 1 : 0) + (dweight != nil ? 1 : 0))
        let chunks = Parallel.chunkCount(s.batch, costPerItem: cost)
        let partialSize = cout * k + cout
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunks, 1) * partialSize)
        defer { partials.deallocate() }
        partials.update(repeating: 0, count: Swift.max(chunks, 1) * partialSize)
        Parallel.forChunks(s.batch, costPerItem: cost) { chunk, images in
            let pw = partials + chunk * partialSize, pb = pw + cout * k
            let group = Swift.min(imagesPerProduct(s), images.count)
            let direct = s.window.isIdentity && group == 1
            let columns = direct ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * group * l)
            let gradients = group == 1 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: cout * group * l)
            defer { columns?.deallocate(); gradients?.deallocate() }
            for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
                let count = Swift.min(group, images.upperBound - first), width = count * l
                let g: UnsafePointer<Float>
                if let gradients {
                    regroup(UnsafeMutablePointer(mutating: dy + first * cout * l), gradients, count: count, rows: cout, l: l, toGrouped: true)
                    g = UnsafePointer(gradients)
                } else {
                    g = dy + first * cout * l
                }
                if dweight != nil {
                    if let columns {
                        for image in 0..<count {
                            im2col(x + (first + image) * imageSize, columns + image * l, ld: width,
                                   channels: s.inputChannels, height: s.height, width: s.width, window: s.window)
                        }
                    }
                    GEMM.multiply(transposeA: false, transposeB: true, m: cout, n: k, k: width, a: g, lda: width,
                                  b: columns.map { UnsafePointer($0) } ?? x + first * imageSize, ldb: width, beta: 1, c: pw, ldc: k)
                }
                if dbias != nil { for o in 0..<cout { pb[o] += Vector.sum(g + o * width, width) } }
                guard let dx else { continue }
                // dcol = Wᵀ dy, straight into dx when the columns are the image itself.
                GEMM.multiply(transposeA: true, transposeB: false, m: k, n: width, k: cout, a: weight, lda: k,
                              b: g, ldb: width, c: columns ?? dx + first * imageSize, ldc: width)
                if let columns {
                    for image in 0..<count {
                        let dxn = dx + (first + image) * imageSize
                        dxn.update(repeating: 0, count: imageSize)
                        col2im(columns + image * l, ld: width, dxn, channels: s.inputChannels, height: s.height, width: s.width, window: s.window)
                    }
                }
            }
        }
        for chunk in 0..<chunks {
            let pw = partials + chunk * partialSize, pb = pw + cout * k
            if let dweight { addInPlace(dweight, pw, cout * k) }
            if let dbias { for o in 0..<cout { dbias[o] += pb[o] } }
        }
    }
}
