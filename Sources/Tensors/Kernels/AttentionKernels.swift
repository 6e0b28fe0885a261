import CKernels

/// Scaled dot-product attention over heads laid side by side in rows, a block of queries at a time.
extension Kernels {
    /// The queries one block of `attentionForward` holds scores for: a block's scores (128 ×
    /// keys floats, 256 KB at 512 keys) stay in cache between the two products that use them.
    static let attentionQueryBlock = 128

    /// `out = softmax(scale · q·kᵀ + mask) · v` for every sequence and head, without the
    /// `[batch, heads, queries, keys]` score tensor: each block of up to
    /// ``attentionQueryBlock`` queries of one head gets its scores in a per-thread buffer, is
    /// normalised there, and is multiplied by the values into its place in `out`.
    ///
    /// Head `h` of row `i` of sequence `b` is the `headSize` floats at `(b · rows + i) · width + h · headSize`
    /// of `q` (`rows` = `queries`), `k`, `v` (`rows` = `keys`) and `out` (`rows` = `queries`), with
    /// `width = heads · headSize`: the layout of the projections and of the merged output, read
    /// and written in place instead of permuted into head-major copies.
    ///
    /// - Parameters:
    ///   - mask: additive, `[batch, keys]` (one row per sequence) or, with `maskPerQuery`,
    ///     `[batch, queries, keys]`; `nil` for none.
    ///   - scoreBias: `[queries, keys]` per head, `scoreBiasHeadStride` apart (0: one for every
    ///     head), added to the products before scaling: `softmax(scale · (q·kᵀ + bias) + mask)`.
    public static func attentionForward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        batch: Int, heads: Int, queries: Int, keys: Int, headSize: Int, scale: Float,
        mask: UnsafePointer<Float>?, maskPerQuery: Bool, scoreBias: UnsafePointer<Float>? = nil, scoreBiasHeadStride: Int = 0
    ) {
        guard batch > 0, heads > 0, queries > 0, headSize > 0 else { return }
        let width = heads * headSize, block = attentionQueryBlock
        let blocks = (queries + block - 1) / block
        // Each item costs two products of a block by all keys.
        Parallel.forRange(batch * heads * blocks, costPerItem: 4 * block * keys * headSize) { items in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * Swift.max(keys, 1))
            defer { scores.deallocate() }
            for item in items {
                let (b, h, first) = (item / (heads * blocks), item / blocks % heads, item % blocks * block)
                let rows = Swift.min(block, queries - first)
                let column = h * headSize
                let qBlock = q + (b * queries + first) * width + column, outBlock = out + (b * queries + first) * width + column
                let kHead = k + b * keys * width + column, vHead = v + b * keys * width + column
                guard keys > 0 else {
                    for r in 0..<rows { (outBlock + r * width).update(repeating: 0, count: headSize) }
                    continue
                }
                // Inside the parallel region oneDNN runs each product on this thread alone; a score
                // bias is copied in first and the product added to it.
                if let scoreBias { scores.update(from: scoreBias + h * scoreBiasHeadStride + first * keys, count: rows * keys) }
                GEMM.multiply(transposeA: false, transposeB: true, m: rows, n: keys, k: headSize,
                              a: qBlock, lda: width, b: kHead, ldb: width, beta: scoreBias == nil ? 0 : 1, c: scores, ldc: keys)
                let maskRows = mask.map { maskPerQuery ? $0 + (b * queries + first) * keys : $0 + b * keys }
                ck_softmax_forward(scores, scores, 0, Int64(rows), Int64(keys), scale, maskRows, maskPerQuery ? 1 : Int64(rows))
                GEMM.multiply(transposeA: false, transposeB: false, m: rows, n: headSize, k: keys,
                              a: scores, lda: keys, b: vHead, ldb: width, c: outBlock, ldc: width)
            }
        }
    }
}
