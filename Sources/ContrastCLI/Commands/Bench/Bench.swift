import ArgumentParser

/// `contrast bench`: throughput of the engine's building blocks, in release builds.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of GEMM, of the fused kernels, of convolutions and of the contrastive loss.",
        subcommands: [BenchGEMM.self, BenchOps.self, BenchConv.self, BenchVision.self, BenchLoss.self, BenchEncode.self, BenchTrain.self])
}
