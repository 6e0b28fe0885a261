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
            target is a ratio (step / products) of at most 2. The whole measurement runs --rounds times and \
            the ratio is that of the best step to the best products: the two are timed one after the other, \
            so on a shared machine a single round's ratio also measures how the load changed in between.
            """)

    @Option(name: .customLong("batch-size"), help: "Rows per view.") var n = 4096
    @Option(name: .customLong("dimensions"), help: "Embedding width.") var d = 768
    @Option(help: "Timed repetitions per round (after one warm-up run).") var repeats = 5
    @Option(help: "Independent rounds; the best of each timing is reported.") var rounds = 3
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    /// The ratio the step must stay under: the products are the work that cannot be avoided.
    static let targetRatio = 2.0

    struct Result: Encodable {
        let n, d: Int
        let ms: Double
        let matmul_ms: Double
        let ratio: Double
        let round_ratio_min: Double
        let round_ratio_max: Double
        let rounds: Int
        let matmul_gflops: Double
        let threads: Int
    }

    func validate() throws {
        guard n > 0, d > 0, repeats > 0, rounds > 0 else { throw ValidationError("--batch-size, --dimensions, --repeats and --rounds must be positive") }
    }

    func run() throws {
        let timings = (0..<rounds).map { _ in ObjectiveBenchmarks.infoNCE(n: n, d: d, iterations: repeats) }
        let step = timings.map(\.forwardBackwardSeconds).min()!, products = timings.map(\.matmulSeconds).min()!
        let roundRatios = timings.map { $0.forwardBackwardSeconds / $0.matmulSeconds }
        let result = Result(
            n: n, d: d, ms: step * 1e3, matmul_ms: products * 1e3, ratio: step / products,
            round_ratio_min: roundRatios.min()!, round_ratio_max: roundRatios.max()!, rounds: rounds,
            matmul_gflops: timings[0].matmulFlops / products / 1e9, threads: Parallel.threadCount)
        let verdict = result.ratio <= Self.targetRatio ? "within" : "over"
        Report.result(json: json, "infonce [\(n) x \(d)]: forward+backward \(Format.fixed(result.ms, 1)) ms, matmuls \(Format.fixed(result.matmul_ms, 1)) ms "
            + "(\(Format.fixed(result.matmul_gflops, 1)) GFLOP/s), ratio \(Format.fixed(result.ratio, 2)) (\(verdict) the \(Format.fixed(Self.targetRatio, 0))x target, "
            + "\(result.threads) threads; rounds' ratios \(Format.fixed(result.round_ratio_min, 2))-\(Format.fixed(result.round_ratio_max, 2)))")
        if json { try Report.json(result) }
    }
}
