import ArgumentParser
import Tensors

/// `contrast bench gemm`: the engine's matmul against raw `dnnl_sgemm` on the same shapes.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOP/s of C = A·B through Tensor.matmul, next to raw dnnl_sgemm (runs alternate; the fastest of each counts).",
        discussion: """
            With --products B > 1, compares the batched matmul primitive with one dnnl_sgemm call per matrix. \
            With --precision bf16 the products run on oneDNN's bf16 kernels where the CPU has AVX512-BF16 or AMX \
            (elsewhere on rounded operands in fp32); the fp32 dnnl_sgemm stays the reference. The report names \
            the kernels that ran and oneDNN's instruction set.
            """)

    @Option(help: "Rows of A and C.") var m = 2048
    @Option(help: "Columns of B and C.") var n = 1536
    @Option(help: "Columns of A, rows of B.") var k = 384
    @Option(name: .customLong("products"), help: "Number of independent products (attention-shaped work when > 1).") var batch = 1
    @Flag(name: .customLong("transpose-a"), help: "Multiply by Aᵀ (A stored k x m), as weight gradients do.") var transposeA = false
    @Flag(name: .customLong("transpose-b"), help: "Multiply by Bᵀ (B stored n x k), as Linear layers do.") var transposeB = false
    @Option(help: "Precision of Tensor.matmul's products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Option(help: "Timed repetitions of each (after 3 warm-up runs); the fastest counts.") var repeats = 20
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Result: Encodable {
        let m, n, k, batch: Int
        let gflops: Double
        let raw_gflops: Double
        let ratio: Double
        let raw: String
        let threads: Int
        let precision: String
        /// oneDNN's instruction set and the kernels Tensor.matmul ran on (``KernelReport``).
        let isa: String
        let kernels: [String]
        let bf16_products: String
    }

    func validate() throws {
        guard m > 0, n > 0, k > 0, batch > 0, repeats > 0 else { throw ValidationError("--m, --n, --k, --products and --repeats must be positive") }
    }

    func run() throws {
        let a = Tensor.randn(transposeA ? [batch, k, m] : [batch, m, k], seed: 1)
        let b = Tensor.randn((batch == 1 ? [] : [batch]) + (transposeB ? [n, k] : [k, n]), seed: 2)
        let a2 = batch == 1 ? a.reshaped(Array(a.shape.dropFirst())) : a
        let flops = 2.0 * Double(batch * m * n * k)
        let c = Tensor.zeros([batch, m, n])
        let rawName = batch == 1 ? "dnnl_sgemm" : "dnnl_sgemm per matrix"
        let product = { _ = a2.matmul(b, transposeSelf: transposeA, transposeOther: transposeB, precision: precision) }
        // The kernels of Tensor.matmul's product alone, from one untimed run.
        let kernels = KernelReport(GEMM.recordingImplementations(product).implementations)
        Report.warnAboutReferenceKernels(kernels)
        let (ours, raw) = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Stopwatch.interleavedBest(repeats: repeats, product, {
                        GEMM.batchedByLoop(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                           a: pa.baseAddress!, strideA: m * k, b: pb.baseAddress!, strideB: batch == 1 ? 0 : k * n,
                                           c: pc.baseAddress!)
                    })
                }
            }
        }
        let result = Result(m: m, n: n, k: k, batch: batch, gflops: flops / ours / 1e9, raw_gflops: flops / raw / 1e9,
                            ratio: raw / ours, raw: rawName, threads: Parallel.threadCount, precision: precision.rawValue,
                            isa: kernels.isa, kernels: kernels.kernels, bf16_products: kernels.bf16Products)
        Report.result(json: json, "gemm \(batch) x [\(m) x \(k)] · [\(k) x \(n)]: Tensor.matmul \(precision) \(Format.fixed(result.gflops, 1)) GFLOP/s "
            + "on \(kernels.kernels.joined(separator: ", ")) (oneDNN \(kernels.isa)), "
            + "\(rawName) \(Format.fixed(result.raw_gflops, 1)) GFLOP/s (ratio \(Format.fixed(result.ratio, 3)), \(result.threads) threads)")
        if json { try Report.json(result) }
    }
}
