import CDNNL
import Synchronization

/// The precision matrix products run in. Inputs, outputs and accumulation stay `Float`.
public enum MatmulPrecision: String, Codable, Sendable, CaseIterable {
    /// IEEE single precision throughout.
    case fp32
    /// Operands rounded to bfloat16 (8-bit mantissa), products accumulated in fp32: mixed-precision
    /// training and inference with fp32 master weights, as PyTorch's bf16 autocast. Runs on
    /// oneDNN's bf16 kernels (AMX, AVX-512 BF16) where the CPU has them; elsewhere the operands
    /// are rounded and multiplied in fp32, which gives bf16's numerics at fp32's speed
    /// (``BFloat16Products/mode`` says which).
    case bf16

    /// The precision of products that do not name one, scoped per task (see ``withMatmulPrecision(_:_:)``).
    @TaskLocal public static var current: MatmulPrecision = .fp32
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
        multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc, precision: precision, packed: (nil, nil))
    }

    /// `multiply`, where under bf16 `packed` may give an operand's copy already packed by
    /// ``packedBFloat16(_:native:)`` (a kept copy of a weight, ``TensorStorage/keptBFloat16Copy()``).
    static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, precision: MatmulPrecision, packed: PackedOperands
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        if precision == .bf16 {
            // dnnl_sgemm has no bf16 mode; the matmul primitive has bf16 operands. Packing the
            // operands into bf16 copies drops their row strides.
            let (rowsA, columnsA) = transposeA ? (k, m) : (m, k), (rowsB, columnsB) = transposeB ? (n, k) : (k, n)
            withBFloat16Operands(StoredMatrix(a, rows: rowsA, columns: columnsA, ld: lda),
                                 StoredMatrix(b, rows: rowsB, columns: columnsB, ld: ldb), packed: packed) { operands in
                switch operands {
                case .native(let a16, let b16):
                    matmulPrimitive(batch: 1, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                    operands: dnnl_bf16, a: a16, strideA: 0, b: b16, strideB: 0, beta: beta, c: c, ldc: ldc)
                case .rounded(let a16, let b16):
                    multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: a16, lda: columnsA, b: b16, ldb: columnsB, beta: beta, c: c, ldc: ldc)
                }
            }
            return
        }
        if prefersMatmulPrimitive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb) {
            matmulPrimitive(batch: 1, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            operands: dnnl_f32, a: a, strideA: 0, b: b, strideB: 0, beta: beta, c: c, ldc: ldc)
            return
        }
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc)
    }

    /// `multiply` in fp32 on `dnnl_sgemm` alone.
    private static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        record("dnnl_sgemm")
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
        batched(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, strideA: strideA,
                b: b, strideB: strideB, beta: beta, c: c, precision: precision, packed: (nil, nil))
    }

    /// `batched`, with operands already packed for bf16 as in `multiply(...packed:)`.
    static func batched(
        batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, strideA: Int, b: UnsafePointer<Float>, strideB: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, precision: MatmulPrecision, packed: PackedOperands
    ) {
        guard batch > 0, m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: batch * m, columns: n, ld: n, by: beta)
            return
        }
        guard precision == .bf16 else {
            matmulPrimitive(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            operands: dnnl_f32, a: a, strideA: strideA, b: b, strideB: strideB, beta: beta, c: c, ldc: n)
            return
        }
        let countA = strideA == 0 ? m * k : batch * strideA, countB = strideB == 0 ? k * n : batch * strideB
        withBFloat16Operands(StoredMatrix(a, rows: 1, columns: countA, ld: countA),
                             StoredMatrix(b, rows: 1, columns: countB, ld: countB), packed: packed) { operands in
            switch operands {
            case .native(let a16, let b16):
                matmulPrimitive(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                operands: dnnl_bf16, a: a16, strideA: strideA, b: b16, strideB: strideB, beta: beta, c: c, ldc: n)
            case .rounded(let a16, let b16):
                batched(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a16, strideA: strideA, b: b16, strideB: strideB, beta: beta, c: c)
            }
        }
    }

    /// Runs oneDNN's matmul primitive on `operands`-typed A and B (`dnnl_f32` or `dnnl_bf16`) into
    /// f32 C with row stride `ldc`, and records the implementation it chose.
    static func matmulPrimitive(
        batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        operands: dnnl_data_type_t, a: UnsafeRawPointer, strideA: Int, b: UnsafeRawPointer, strideB: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let runtime = OneDNNRuntime.shared
        let recording = isRecording
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { name in
            let status = cdnnl_batched_matmul(
                runtime.engine, runtime.stream, Int64(batch), Int64(m), Int64(n), Int64(k),
                transposeA ? 1 : 0, transposeB ? 1 : 0, operands, a, Int64(strideA), b, Int64(strideB), c, Int64(ldc),
                alpha, beta, recording ? name.baseAddress : nil, recording ? name.count : 0)
            ensure(status == dnnl_success, "GEMM.batched: oneDNN matmul failed with status \(status.rawValue) for batch=\(batch) m=\(m) n=\(n) k=\(k)")
            if recording { record(String(cString: name.baseAddress!)) }
        }
    }

    /// Whether an fp32 product runs faster on oneDNN's matmul primitive than on `dnnl_sgemm`: a
    /// linear layer's `x · Wᵀ` (B transposed, both operands dense) that narrows (`k > n`, as a
    /// feed-forward block's second product) or has few rows and a reduction of at least 256.
    /// There `dnnl_sgemm` packs the transposed weight slowly: on an AVX-512 EPYC, 2 threads,
    /// `[2048 × 1536] · [384 × 1536]ᵀ` ran at 175 GFLOP/s against the primitive's 221,
    /// `[2048 × 2048] · [512 × 2048]ᵀ` 156 against 216, `[32 × 384] · [1536 × 384]ᵀ` 133 against
    /// 186; everywhere else `dnnl_sgemm` was as fast or faster, up to 5% with many rows and
    /// 14–21% on few rows with `k` of 64 or 128 (BENCHMARKS.md, "Which GEMM"). Small products
    /// stay on `dnnl_sgemm` (the primitive's per-call set-up would dominate), and so do products
    /// inside a parallel region (attention's per-head blocks), which share one oneDNN stream otherwise.
    static func prefersMatmulPrimitive(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int) -> Bool {
        isSizableLinearProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb)
            && (k > n || m < 1024 && k >= 256)
    }

    /// Whether an fp32 `x · Wᵀ` runs faster as `x` times a transposed copy of `W` (kept by the
    /// caller, ``Tensor/keepsTransposedCopy``) on `dnnl_sgemm`: a weight of `k ≤ n ≤ 640` (MiniLM's
    /// and CLIP-text's attention projections) under many rows. There `dnnl_sgemm` multiplies by
    /// the transposed weight slowly: on an AVX-512 EPYC, 2 threads, `[2048 × 384] · [384 × 384]ᵀ`
    /// ran at 210–217 GFLOP/s against 225–230 untransposed, `[2048 × 512] · [512 × 512]ᵀ` 180
    /// against 219, `[2048 × 640] · [640 × 640]ᵀ` 188 against 218, while at 768 and 1024, or with
    /// `n` four times `k`, the two were within 1%; capped at AVX2 untransposed was 1–6% faster.
    /// Products that narrow (`k > n`) or have few rows stay with ``prefersMatmulPrimitive(transposeA:transposeB:m:n:k:lda:ldb:)``.
    static func prefersUntransposedWeight(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int) -> Bool {
        isSizableLinearProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb)
            && k <= n && n <= 640 && m >= 1024
    }

    /// A linear layer's `x · Wᵀ` with dense operands, of at least 2²⁰ multiply-adds, outside a
    /// parallel region: the products ``prefersMatmulPrimitive(transposeA:transposeB:m:n:k:lda:ldb:)``
    /// and ``prefersUntransposedWeight(transposeA:transposeB:m:n:k:lda:ldb:)`` choose among.
    private static func isSizableLinearProduct(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int) -> Bool {
        !transposeA && transposeB && lda == k && ldb == k && m * n * k >= 1 << 20 && omp_in_parallel() == 0
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
            sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: a + i * strideA, lda: transposeA ? m : k, b: b + i * strideB, ldb: transposeB ? k : n,
                c: c + i * m * n, ldc: n)
        }
    }

    /// A matrix as stored: `rows` rows of `columns` values, `ld` apart.
    struct StoredMatrix {
        let base: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int
        init(_ base: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int) {
            (self.base, self.rows, self.columns, self.ld) = (base, rows, columns, ld)
        }
    }

    /// Both operands of a bf16 product as it will read them, packed (row stride = columns):
    /// bfloat16 bit patterns for oneDNN's bf16 kernels, or floats rounded to bfloat16 for an fp32
    /// product where those kernels are not used (``BFloat16Products/mode``).
    enum BFloat16Operands {
        case native(UnsafeRawPointer, UnsafeRawPointer)
        case rounded(UnsafePointer<Float>, UnsafePointer<Float>)
    }

    /// Operands of a bf16 product already packed by ``packedBFloat16(_:native:)``, or `nil`.
    typealias PackedOperands = (a: TensorStorage?, b: TensorStorage?)

    /// Calls `body` with bf16 copies of `a` and `b`: those in `packed`, else temporary ones.
    static func withBFloat16Operands(_ a: StoredMatrix, _ b: StoredMatrix, packed: PackedOperands, _ body: (BFloat16Operands) -> Void) {
        let native = BFloat16Products.mode.isNative
        let a16 = packed.a ?? packedBFloat16(a, native: native), b16 = packed.b ?? packedBFloat16(b, native: native)
        withExtendedLifetime((a16, b16)) {
            body(native ? .native(UnsafeRawPointer(a16.base), UnsafeRawPointer(b16.base)) : .rounded(UnsafePointer(a16.base), UnsafePointer(b16.base)))
        }
    }

    /// A new packed copy of `x` as bfloat16 bit patterns (`native`) or as floats rounded to
    /// bfloat16, in a tensor buffer: large copies (an FFN's 50 MB input) then reuse the pages
    /// of earlier ones instead of being mapped and faulted in afresh at every product, and count
    /// in ``TensorMemory``.
    static func packedBFloat16(_ x: StoredMatrix, native: Bool) -> TensorStorage {
        let count = x.rows * x.columns
        // Two bfloat16 values fill a float's slot.
        let storage = TensorStorage(count: native ? (count + 1) / 2 : count, zeroed: false)
        let bits = native ? UnsafeMutableRawPointer(storage.base).bindMemory(to: UInt16.self, capacity: count) : nil
        // One call over the whole matrix when its rows are adjacent, else one per row.
        let (pieces, length) = x.ld == x.columns ? (1, count) : (x.rows, x.columns)
        for r in 0..<pieces {
            if let bits {
                Kernels.convertToBFloat16(x.base + r * x.ld, bits + r * x.columns, length)
            } else {
                Kernels.roundToBFloat16(x.base + r * x.ld, storage.base + r * x.columns, length)
            }
        }
        return storage
    }

    private static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, by beta: Float) {
        for r in 0..<rows {
            for j in 0..<columns { c[r * ld + j] = beta == 0 ? 0 : c[r * ld + j] * beta }
        }
    }
}

extension GEMM {
    /// The kernels products ran on: oneDNN's implementation names of the matmul primitives
    /// (e.g. "brg:avx512_core", "brg:avx512_core_amx_bf16") and "dnnl_sgemm" for its plain GEMM.
    final class ImplementationRecorder: Sendable {
        let names = Mutex<Set<String>>([])
    }

    @TaskLocal static var recorder: ImplementationRecorder?

    static var isRecording: Bool { recorder != nil }

    static func record(_ name: String) {
        recorder?.names.withLock { _ = $0.insert(name) }
    }

    /// Runs `body` and returns, with its result, the kernels every product it made in this task
    /// ran on (see ``ImplementationRecorder``): what the benchmarks report and what the tests
    /// check for oneDNN's slow reference implementations (`ref:`).
    public static func recordingImplementations<R>(_ body: () throws -> R) rethrows -> (result: R, implementations: Set<String>) {
        let recorder = ImplementationRecorder()
        let result = try $recorder.withValue(recorder) { try body() }
        return (result, recorder.names.withLock { $0 })
    }
}
