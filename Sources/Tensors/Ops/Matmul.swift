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
        let out = Tensor.product(a, b, transposeA: transposeSelf, transposeB: transposeOther, precision: precision)
        // Each operand is kept for the other's gradient.
        let keptA = b.requiresGrad ? a : nil, keptB = a.requiresGrad ? b : nil
        let (aShape, bShape) = (a.shape, b.shape)
        return out.recorded("matmul", [a, b]) { g in
            Tensor.productGradients(g, keptA, aShape: aShape, keptB, bShape: bShape, transposeA: transposeSelf,
                                    transposeB: transposeOther, precision: precision)
        }
    }

    /// `dropout(p:seed:stream:first:)` of this tensor times `other`, without keeping the dropped-out
    /// operand: the backward regenerates it from this tensor and the mask's `(seed, stream)`.
    /// Attention keeps its probabilities for the softmax's gradient anyway; this saves the
    /// dropped-out copy of them that the product would keep.
    public func matmulAfterDropout(_ other: Tensor, p: Float, seed: UInt64, stream: UInt64, first: Int = 0) -> Tensor {
        ensure(p >= 0 && p < 1, "dropout: probability \(p) is outside [0, 1)")
        let precision = MatmulPrecision.current
        let out = Tensor.product(p == 0 ? self : droppedOut(p: p, seed: seed, stream: stream, first: first), other,
                                 transposeA: false, transposeB: false, precision: precision)
        let keptA = other.requiresGrad ? self : nil, keptB = requiresGrad ? other : nil
        let (aShape, bShape) = (shape, other.shape)
        return out.recorded("matmulAfterDropout", [self, other]) { g in
            // The regenerated operand serves `other`'s gradient, then holds this tensor's.
            let dropped = p == 0 ? nil : keptA?.droppedOut(p: p, seed: seed, stream: stream, first: first)
            let grads = Tensor.productGradients(g, dropped ?? keptA, aShape: aShape, keptB, bShape: bShape, transposeA: false,
                                                transposeB: false, precision: precision,
                                                gradientOfA: aShape.count >= bShape.count ? dropped : nil)
            if let ga = grads[0], p > 0 {
                Tensor.withData(ga) { ptr in Kernels.dropoutBackward(ptr[0], ptr[0], ga.count, p: p, seed: seed, stream: stream, first: first) }
            }
            return grads
        }
    }

    /// `op(a) · op(b)` (see `matmul`), not recorded; with `accumulating`, added to `target`.
    static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, precision: MatmulPrecision,
                        into target: Tensor? = nil, accumulating: Bool = false) -> Tensor {
        ensure(a.rank >= 2 && b.rank >= 2, "matmul: operands need at least two axes, got \(a.shape) and \(b.shape)")
        let (m, ka) = transposeA ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (kb, n) = transposeB ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        ensure(ka == kb && (batchA == batchB || batchA.isEmpty || batchB.isEmpty),
                     "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") are incompatible")
        let batchShape = batchA.isEmpty ? batchB : batchA
        let batch = batchShape.reduce(1, *)
        let out = target ?? Tensor(uninitialized: batchShape + [m, n])
        ensure(out.count == batch * m * n, "matmul: target of shape \(out.shape) does not hold the product \(batchShape + [m, n])")
        let oneGEMM = batchB.isEmpty && !transposeA || batch == 1
        ensure(!accumulating || target != nil && oneGEMM, "matmul: only a product of one GEMM accumulates, into a given target")
        // A weight's kept bf16 copy (see `keepsBFloat16Copy`); the others are packed per product.
        // Only for oneDNN's bf16 kernels: without them, rounding is cheap next to the fp32 product,
        // and a kept copy in floats would double the weights' memory.
        let packed = precision == .bf16 && BFloat16Products.mode.isNative
            ? (a.storage.keptBFloat16Copy(), b.storage.keptBFloat16Copy()) : (nil, nil)
        // A weight's kept transpose, where `dnnl_sgemm` reads it faster than the weight transposed.
        let transposed = precision == .fp32 && oneGEMM && b.rank == 2
            && GEMM.prefersUntransposedWeight(transposeA: transposeA, transposeB: transposeB, m: batch * m, n: n, k: ka,
                                              lda: a.shape[a.rank - 1], ldb: b.shape[1])
            ? b.storage.keptTransposedCopy(rows: n) : nil
        Tensor.withData(a, b, out) { p in
            if oneGEMM {
                // One GEMM: the batch of `a` folds into its rows.
                withExtendedLifetime(transposed) {
                    GEMM.multiply(transposeA: transposeA, transposeB: transposeB && transposed == nil, m: batch * m, n: n, k: ka,
                                  a: p[0], lda: a.shape[a.rank - 1], b: transposed?.base ?? p[1],
                                  ldb: transposed == nil ? b.shape[b.rank - 1] : n, beta: accumulating ? 1 : 0,
                                  c: p[2], ldc: n, precision: precision, packed: packed)
                }
            } else {
                GEMM.batched(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                             a: p[0], strideA: batchA.isEmpty ? 0 : m * ka, b: p[1], strideB: batchB.isEmpty ? 0 : ka * n,
                             c: p[2], precision: precision, packed: packed)
            }
        }
        return out
    }

    /// The gradients of `op(a) · op(b)` for its output gradient `g`: `a`'s when `b` is given,
    /// `b`'s when `a` is given (`nil` otherwise). `gradientOfA`, when given, receives `a`'s gradient
    /// in place of a new tensor, after `b`'s gradient has read `a` (it may be `a` itself).
    static func productGradients(_ g: Tensor, _ a: Tensor?, aShape: [Int], _ b: Tensor?, bShape: [Int],
                                 transposeA: Bool, transposeB: Bool, precision: MatmulPrecision,
                                 gradientOfA: Tensor? = nil) -> [Tensor?] {
        var ga: Tensor?, gb: Tensor?
        if let a {
            let (ka, n) = (bShape[bShape.count - (transposeB ? 1 : 2)], g.shape[g.rank - 1])
            if bShape.count == 2 && aShape.count > 2 && !transposeA {
                // Fold the batch into one GEMM instead of a batched product and a sum.
                let a2 = a.reshaped([-1, ka]), g2 = g.reshaped([-1, n])
                gb = transposeB ? product(g2, a2, transposeA: true, transposeB: false, precision: precision)
                                : product(a2, g2, transposeA: true, transposeB: false, precision: precision)
            } else {
                gb = transposeB
                    ? product(g, a, transposeA: true, transposeB: transposeA, precision: precision)
                    : product(a, g, transposeA: !transposeA, transposeB: false, precision: precision)
                gb = gb!.summed(toShape: bShape)
            }
        }
        if let b {
            ga = transposeA
                ? product(b, g, transposeA: transposeB, transposeB: true, precision: precision, into: gradientOfA)
                : product(g, b, transposeA: false, transposeB: !transposeB, precision: precision, into: gradientOfA)
            ga = ga!.summed(toShape: aShape)
        }
        return [ga, gb]
    }
}
