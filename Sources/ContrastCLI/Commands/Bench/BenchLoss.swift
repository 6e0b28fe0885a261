import ArgumentParser
import Objectives
import Tensors

/// `contrast bench loss`: cosine InfoNCE forward+backward next to the matrix products it contains.
struct BenchLoss: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Median time of InfoNCE forward+backward next to its three matrix products alone.",
        discussion: """
            The step at N x d holds three [N, N, d] products (z1 z2ᵀ forward, G z2 and Gᵀ z1 backward); \
            everything else (normalisation, softmax, cross-entropy) should cost less than they do, so the \
            target is a ratio (step / products) of at most 2.
            """)

    @Option(help: "Rows per view (batch size).") var n = 4096
    @Option(help: "Embedding width.") var d = 768
    @Option(help: "Timed repetitions (after one warm-up run).") var repeats = 5
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    /// The ratio the step must stay under: the products are the work that cannot be avoided.
    static let targetRatio = 2.0

    struct Result: Encodable {
        let n, d: Int
        let ms: Double
        let matmul_ms: Double
        let ratio: Double
        let matmul_gflops: Double
        let threads: Int
    }

    func validate() throws {
        guard n > 0, d > 0, repeats > 0 else { throw ValidationError("--n, --d and --repeats must be positive") }
    }

    func run() throws {
        let timing = ObjectiveBenchmarks.infoNCE(n: n, d: d, iterations: repeats)
        let result = Result(
            n: n, d: d, ms: timing.forwardBackwardSeconds * 1e3, matmul_ms: timing.matmulSeconds * 1e3,
            ratio: timing.forwardBackwardSeconds / timing.matmulSeconds,
            matmul_gflops: timing.matmulFlops / timing.matmulSeconds / 1e9, threads: Parallel.threadCount)
        let verdict = result.ratio <= Self.targetRatio ? "within" : "over"
        Report.info("infonce [\(n) x \(d)]: forward+backward \(Format.fixed(result.ms, 1)) ms, matmuls \(Format.fixed(result.matmul_ms, 1)) ms "
            + "(\(Format.fixed(result.matmul_gflops, 1)) GFLOP/s), ratio \(Format.fixed(result.ratio, 2)) (\(verdict) the \(Format.fixed(Self.targetRatio, 0))x target, "
            + "\(result.threads) threads)")
        if json { try Report.json(result) }
    }
}
