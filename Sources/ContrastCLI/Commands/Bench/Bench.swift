import ArgumentParser

/// `contrast bench`: throughput of the engine's building blocks, in release builds.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of GEMM, of the fused kernels, of convolutions, of the contrastive loss and of image augmentation.",
        subcommands: [BenchGEMM.self, BenchOps.self, BenchConv.self, BenchVision.self, BenchLoss.self, BenchEncode.self, BenchTrain.self, BenchImageTrain.self, BenchAugment.self])
}
