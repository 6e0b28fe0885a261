/// 2-D convolution of NCHW images as im2col + GEMM.
///
/// Each image's receptive fields are unrolled into a column matrix `[C·kh·kw, OH·OW]` and the
/// convolution becomes one GEMM with the weight `[Cout, C·kh·kw]`. The batch is split across the
/// threads, each unrolling its own images into its own scratch matrix (which stays in cache) and
/// running its GEMMs; oneDNN runs a GEMM called inside the parallel region on the calling thread.
/// A single image instead runs one multi-threaded GEMM. The backward recomputes the columns
/// rather than keeping a batch-sized column matrix alive between the passes.
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

    /// Unrolls one image `x` `[C, H, W]` into `col` `[C·kh·kw, OH·OW]`: row `(c, i, j)`, column
    /// `(oh, ow)` holds `x[c, oh·sh - ph + i, ow·sw - pw + j]`, or 0 in the padding.
    public static func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int, window w: Window2D) {
        let oh = w.outputHeight(height), ow = w.outputWidth(width)
        var row = col
        for c in 0..<channels {
            let plane = x + c * height * width
            for i in 0..<w.kernelHeight {
                for j in 0..<w.kernelWidth {
                    let (start, end) = validRange(extent: width, outputs: ow, stride: w.strideWidth, padding: w.paddingWidth, offset: j)
                    for r in 0..<oh {
                        let dst = row + r * ow
                        let ih = r * w.strideHeight - w.paddingHeight + i
                        guard ih >= 0 && ih < height else {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + ih * width - w.paddingWidth + j
                        dst.update(repeating: 0, count: start)
                        if w.strideWidth == 1 {
                            (dst + start).update(from: src + start, count: end - start)
                        } else {
                            for o in start..<end { dst[o] = src[o * w.strideWidth] }
                        }
                        (dst + end).update(repeating: 0, count: ow - end)
                    }
                    row += oh * ow
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each entry of `col` into the element of `dx` `[C, H, W]` it
    /// was read from (entries in the padding are dropped). `dx` is accumulated into, not cleared.
    public static func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int, window w: Window2D) {
        let oh = w.outputHeight(height), ow = w.outputWidth(width)
        var row = col
        for c in 0..<channels {
            let plane = dx + c * height * width
            for i in 0..<w.kernelHeight {
                for j in 0..<w.kernelWidth {
                    let (start, end) = validRange(extent: width, outputs: ow, stride: w.strideWidth, padding: w.paddingWidth, offset: j)
                    for r in 0..<oh {
                        let ih = r * w.strideHeight - w.paddingHeight + i
                        guard ih >= 0 && ih < height else { continue }
                        let src = row + r * ow, dst = plane + ih * width - w.paddingWidth + j
                        if w.strideWidth == 1 {
                            for o in start..<end { dst[o] += src[o] }
                        } else {
                            for o in start..<end { dst[o * w.strideWidth] += src[o] }
                        }
                    }
                    row += oh * ow
                }
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
            let scratch = s.window.isIdentity ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * l)
            defer { scratch?.deallocate() }
            for n in images {
                let xn = x + n * imageSize, yn = y + n * cout * l
                if let scratch { im2col(xn, scratch, channels: s.inputChannels, height: s.height, width: s.width, window: s.window) }
                if let bias { for o in 0..<cout { (yn + o * l).update(repeating: bias[o], count: l) } }
                GEMM.multiply(transposeA: false, transposeB: false, m: cout, n: l, k: k, a: weight, lda: k,
                              b: scratch.map { UnsafePointer($0) } ?? xn, ldb: l, beta: bias == nil ? 0 : 1, c: yn, ldc: l)
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
            let unrolled = s.window.isIdentity ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * l)
            defer { unrolled?.deallocate() }
            for n in images {
                let xn = x + n * imageSize, dyn = dy + n * cout * l
                if dweight != nil {
                    if let unrolled { im2col(xn, unrolled, channels: s.inputChannels, height: s.height, width: s.width, window: s.window) }
                    GEMM.multiply(transposeA: false, transposeB: true, m: cout, n: k, k: l, a: dyn, lda: l,
                                  b: unrolled.map { UnsafePointer($0) } ?? xn, ldb: l, beta: 1, c: pw, ldc: k)
                }
                if dbias != nil { for o in 0..<cout { pb[o] += Vector.sum(dyn + o * l, l) } }
                if let dx {
                    let dxn = dx + n * imageSize
                    // dcol = Wᵀ dy, straight into dx when the columns are the image itself.
                    GEMM.multiply(transposeA: true, transposeB: false, m: k, n: l, k: cout, a: weight, lda: k,
                                  b: dyn, ldb: l, c: unrolled ?? dxn, ldc: l)
                    if let unrolled {
                        dxn.update(repeating: 0, count: imageSize)
                        col2im(unrolled, dxn, channels: s.inputChannels, height: s.height, width: s.width, window: s.window)
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
