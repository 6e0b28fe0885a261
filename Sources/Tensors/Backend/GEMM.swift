import CDNNL

/// The precision matrix products run in. Inputs, outputs and accumulation stay `Float`.
public enum MatmulPrecision: String, Codable, Sendable, CaseIterable {
    /// IEEE single precision throughout.
    case fp32
    /// Operands rounded to bfloat16 (8-bit mantissa), products accumulated in fp32: mixed-precision
    /// training and inference with fp32 master weights, as PyTorch's bf16 autocast. Runs on
    /// oneDNN's bf16 kernels (AMX, AVX-512 BF16) where the CPU has them; elsewhere the operands
    /// are rounded and multiplied in fp32, which gives bf16's numerics at fp32's speed.
    case bf16

    /// The precision of products that do not name one, scoped per task (see ``withMatmulPrecision(_:_:)``).
    @TaskLocal public static var current: MatmulPrecision = .fp32

    /// Whether this CPU has bf16 dot-product instructions oneDNN uses (AVX-512 BF16 or AMX).
    public static let hardwareBFloat16: Bool = {
        let isa = dnnl_get_effective_cpu_isa().rawValue, bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & bf16 == bf16
    }()
}

/// Runs `body` with matrix products in `precision` unless they name one (training and encoding
/// under `--precision bf16`).
public func withMatmulPrecision<R>(_ precision: MatmulPrecision, _ body: () throws -> R) rethrows -> R {
    try MatmulPrecision.$current.withValue(precision) { try body() }
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
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, precision: MatmulPrecision = .fp32
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        let contiguous = lda == (transposeA ? m : k) && ldb == (transposeB ? k : n) && ldc == n
        if precision == .bf16 && MatmulPrecision.hardwareBFloat16 && contiguous {
            // dnnl_sgemm has no bf16 mode; the matmul primitive does.
            batched(batch: 1, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                    a: a, strideA: 0, b: b, strideB: 0, beta: beta, c: c, precision: .bf16)
            return
        }
        if precision == .bf16 {
            let rowsA = transposeA ? k : m, rowsB = transposeB ? n : k
            withBFloat16Copy(a, count: (rowsA - 1) * lda + (transposeA ? m : k)) { a16 in
                withBFloat16Copy(b, count: (rowsB - 1) * ldb + (transposeB ? k : n)) { b16 in
                    multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: a16, lda: lda, b: b16, ldb: ldb, beta: beta, c: c, ldc: ldc)
                }
            }
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
        if precision == .bf16 && !MatmulPrecision.hardwareBFloat16 {
            // oneDNN ignores the bf16 math mode without bf16 instructions: round the operands here.
            let countA = strideA == 0 ? m * k : batch * strideA, countB = strideB == 0 ? k * n : batch * strideB
            withBFloat16Copy(a, count: countA) { a16 in
                withBFloat16Copy(b, count: countB) { b16 in
                    batched(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a16, strideA: strideA, b: b16, strideB: strideB, beta: beta, c: c)
                }
            }
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

    /// Calls `body` with a temporary copy of `count` values rounded to bfloat16.
    private static func withBFloat16Copy(_ x: UnsafePointer<Float>, count: Int, _ body: (UnsafePointer<Float>) -> Void) {
        let copy = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { copy.deallocate() }
        Kernels.roundToBFloat16(x, copy, count)
        body(copy)
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
