import CDNNL

/// The precision matrix products run in. Inputs, outputs and accumulation stay `Float`.
public enum MatmulPrecision: String, Sendable, CaseIterable {
    /// IEEE single precision throughout.
    case fp32
    /// Products in bfloat16 with fp32 accumulation (AMX or AVX-512 BF16 where the CPU has them).
    case bf16
}

/// The matrix-multiplication backend: row-major single and batched GEMM on oneDNN.
///
/// This is the one place the engine talks to oneDNN; everything above calls `GEMM.multiply`
/// and `GEMM.batched`, so another backend or precision needs changes here only.
public enum GEMM {
    /// `C = alpha * op(A) * op(B) + beta * C` for row-major `op(A)`: m x k, `op(B)`: k x n.
    /// `lda`, `ldb`, `ldc` are the row strides of the matrices as stored.
    public static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        let status = dnnl_sgemm(
            transposeA ? 0x54 : 0x4E, transposeB ? 0x54 : 0x4E, Int64(m), Int64(n), Int64(k), alpha,
            a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        ensure(status == dnnl_success, "GEMM: dnnl_sgemm failed with status \(status.rawValue) for m=\(m) n=\(n) k=\(k)")
    }

    /// `batch` independent products `C[i] = alpha * op(A[i]) * op(B[i]) + beta * C[i]`, contiguous
    /// and row-major; `strideA`/`strideB` of 0 reuse one matrix for the whole batch.
    public static func batched(
        batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, strideA: Int, b: UnsafePointer<Float>, strideB: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, precision: MatmulPrecision = .fp32
    ) {
        guard batch > 0, m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: batch * m, columns: n, ld: n, by: beta)
            return
        }
        let runtime = OneDNNRuntime.shared
        let status = cdnnl_batched_matmul(
            runtime.engine, runtime.stream, Int64(batch), Int64(m), Int64(n), Int64(k),
            transposeA ? 1 : 0, transposeB ? 1 : 0, a, Int64(strideA), b, Int64(strideB), c, alpha, beta,
            precision == .bf16 ? 1 : 0)
        ensure(status == dnnl_success, "GEMM.batched: oneDNN matmul failed with status \(status.rawValue) for batch=\(batch) m=\(m) n=\(n) k=\(k)")
    }

    /// The same products as `batched`, as one raw `dnnl_sgemm` call per matrix: the reference
    /// `contrast bench gemm` measures `Tensor.matmul` against (and the batched primitive, with
    /// `--batch`), and that the accuracy tests compare the primitive with.
    public static func batchedByLoop(
        batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, strideA: Int, b: UnsafePointer<Float>, strideB: Int,
        c: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<batch {
            multiply(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: a + i * strideA, lda: transposeA ? m : k, b: b + i * strideB, ldb: transposeB ? k : n,
                c: c + i * m * n, ldc: n)
        }
    }

    private static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, by beta: Float) {
        for r in 0..<rows {
            for j in 0..<columns { c[r * ld + j] = beta == 0 ? 0 : c[r * ld + j] * beta }
        }
    }
}

/// The process's oneDNN CPU engine and stream, created once.
///
/// `@unchecked Sendable`: oneDNN engines are thread-safe, and the engine executes the in-order CPU
/// stream synchronously (every call waits for completion) so concurrent callers cannot interleave
/// work on it.
final class OneDNNRuntime: @unchecked Sendable {
    static let shared = OneDNNRuntime()
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        var engine: dnnl_engine_t?
        ensure(dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, "oneDNN: cannot create the CPU engine")
        var stream: dnnl_stream_t?
        ensure(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)) == dnnl_success, "oneDNN: cannot create a stream")
        self.engine = engine!
        self.stream = stream!
    }
}
