/// Matrix products on the GEMM backend, with transposes as flags rather than copies.
extension Tensor {
    /// `op(self) · op(other)` where `op` transposes the last two axes when asked.
    ///
    /// Shapes: `[m, k] · [k, n]`; batched `[..., m, k] · [..., k, n]` with equal batch axes; or one
    /// side two-dimensional, which is then shared by every matrix of the batch.
    /// `x.matmul(w, transposeOther: true)` is `x · wᵀ`, the `Linear` layer with Hugging Face's
    /// `[out, in]` weights, without a transposed copy.
    /// `precision` defaults to ``MatmulPrecision/current``; the backward products use the same.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false, precision: MatmulPrecision? = nil) -> Tensor {
        let a = self, b = other
        let precision = precision ?? MatmulPrecision.current
        ensure(a.rank >= 2 && b.rank >= 2, "matmul: operands need at least two axes, got \(a.shape) and \(b.shape)")
        let (m, ka) = transposeSelf ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (kb, n) = transposeOther ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        ensure(ka == kb && (batchA == batchB || batchA.isEmpty || batchB.isEmpty),
                     "matmul: shapes \(a.shape)\(transposeSelf ? "ᵀ" : "") and \(b.shape)\(transposeOther ? "ᵀ" : "") are incompatible")
        let batchShape = batchA.isEmpty ? batchB : batchA
        let batch = batchShape.reduce(1, *)
        let out = Tensor(uninitialized: batchShape + [m, n])
        Tensor.withData(a, b, out) { p in
            if batchB.isEmpty && !transposeSelf || batch == 1 {
                // One GEMM: the batch of `a` folds into its rows.
                GEMM.multiply(transposeA: transposeSelf, transposeB: transposeOther, m: batch * m, n: n, k: ka,
                              a: p[0], lda: a.shape[a.rank - 1], b: p[1], ldb: b.shape[b.rank - 1], c: p[2], ldc: n,
                              precision: precision)
            } else {
                GEMM.batched(batch: batch, transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: ka,
                             a: p[0], strideA: batchA.isEmpty ? 0 : m * ka, b: p[1], strideB: batchB.isEmpty ? 0 : ka * n,
                             c: p[2], precision: precision)
            }
        }
        return out.recorded("matmul", [a, b]) { g in
            var ga: Tensor?, gb: Tensor?
            if a.requiresGrad {
                ga = transposeSelf
                    ? b.matmul(g, transposeSelf: transposeOther, transposeOther: true, precision: precision)
                    : g.matmul(b, transposeOther: !transposeOther, precision: precision)
                ga = ga!.summed(toShape: a.shape)
            }
            if b.requiresGrad {
                if batchB.isEmpty && !batchA.isEmpty && !transposeSelf {
                    // Fold the batch into one GEMM instead of a batched product and a sum.
                    let a2 = a.reshaped([-1, ka]), g2 = g.reshaped([-1, n])
                    gb = transposeOther ? g2.matmul(a2, transposeSelf: true, precision: precision) : a2.matmul(g2, transposeSelf: true, precision: precision)
                } else {
                    gb = transposeOther
                        ? g.matmul(a, transposeSelf: true, transposeOther: transposeSelf, precision: precision)
                        : a.matmul(g, transposeSelf: !transposeSelf, precision: precision)
                    gb = gb!.summed(toShape: b.shape)
                }
            }
            return [ga, gb]
        }
    }
}
