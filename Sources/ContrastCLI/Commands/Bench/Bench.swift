import ArgumentParser

/// `contrast bench`: throughput of the engine's building blocks, in release builds.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of GEMM and of the fused kernels.",
        subcommands: [BenchGEMM.self, BenchOps.self, BenchEncode.self])
}
