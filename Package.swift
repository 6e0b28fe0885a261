// swift-tools-version: 6.1
import PackageDescription

// Floors of the house (see docs/ARCHITECTURE.md): each target imports only targets listed before it.
let package = Package(
    name: "swift-contrastive",
    products: [
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NeuralNetworks", targets: ["NeuralNetworks"]),
        .library(name: "Text", targets: ["Text"]),
        .library(name: "Objectives", targets: ["Objectives"]),
        .executable(name: "contrast", targets: ["ContrastCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Floor 0: the oneDNN C API (Debian libdnnl-dev) and libgomp's parallel entry point.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // Floor 1: storage, kernels, GEMM backend, random numbers, autograd.
        .target(name: "Tensors", dependencies: ["CDNNL"], swiftSettings: vectorized),
        // Floor 2: modules, layers, optimizers, safetensors.
        .target(name: "NeuralNetworks", dependencies: ["Tensors"]),
        // Floor 3: tokenizers and text datasets (no tensor dependency).
        .target(name: "Text"),
        // Floor 3: similarities, contrastive losses, miners, reducers, feature queues, momentum updates.
        .target(name: "Objectives", dependencies: ["Tensors"]),
        // Floor 5: evaluators (STS correlations, alignment/uniformity reports), progress display.
        .target(name: "Evaluation", dependencies: ["Tensors", "Objectives", "Text"]),
        // Floor 6: the command-line tool.
        .executableTarget(
            name: "ContrastCLI",
            dependencies: [
                "CDNNL", "Tensors", "NeuralNetworks", "Text", "Evaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Tensors"]),
        .testTarget(name: "TextTests", dependencies: ["Text"]),
        .testTarget(name: "ObjectivesTests", dependencies: ["Objectives", "Tensors"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Tensors", "Text"]),
    ]
)

/// The engine's kernels are plain loops that LLVM vectorises; AVX2 and FMA (every x86-64 server
/// since 2013) double their width over the baseline SSE2 target.
var vectorized: [SwiftSetting] { [.unsafeFlags(["-target-cpu", "haswell"])] }
