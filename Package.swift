// swift-tools-version: 6.1
import PackageDescription

// Floors of the house (README.md, "The library"): each target imports only targets listed before it.
let package = Package(
    name: "swift-contrastive",
    products: [
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NeuralNetworks", targets: ["NeuralNetworks"]),
        .library(name: "Text", targets: ["Text"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Methods", targets: ["Methods"]),
        .library(name: "Objectives", targets: ["Objectives"]),
        .library(name: "Augmentation", targets: ["Augmentation"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Collectives", targets: ["Collectives"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .executable(name: "contrast", targets: ["ContrastCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Floor 0: the oneDNN C API (Debian libdnnl-dev) and libgomp's parallel entry point.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // Floor 0: image codecs (Debian zlib1g-dev, libpng-dev, libjpeg62-turbo-dev), for Vision.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        // Floor 0: row kernels in C with AVX2/FMA intrinsics (fused multiply-adds, in-register reductions).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma"])]),
        // Floor 0: hnswlib's approximate nearest-neighbour graph (Debian libhnswlib-dev, header-only C++)
        // behind a C interface, for `search --index hnsw`.
        .target(name: "CHNSW", cxxSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma"])]),
        // Floor 0: which instructions the CPU has, built for baseline x86-64 so that `contrast` can
        // refuse a CPU without AVX2 and FMA before any code built for them runs.
        .target(name: "CCPUFeatures"),
        // Floor 1: storage, kernels, GEMM backend, random numbers, autograd.
        .target(name: "Tensors", dependencies: ["CDNNL", "CKernels"], swiftSettings: vectorized),
        // Floor 2: the processes of a data-parallel run (protocol, single process, all-gather with gradient).
        .target(name: "Collectives", dependencies: ["Tensors"]),
        // Floor 2: modules, layers, optimizers, safetensors.
        .target(name: "NeuralNetworks", dependencies: ["Tensors"]),
        // Floor 3: tokenizers and text datasets.
        .target(name: "Text", dependencies: ["Tensors"]),
        // Floor 3: similarities, contrastive losses, miners, reducers, feature queues, momentum updates.
        .target(name: "Objectives", dependencies: ["Tensors"]),
        // Floor 3: positive views for contrastive text methods (token edits, Cutoff, back-translation).
        .target(name: "Augmentation", dependencies: ["Tensors", "Text"]),
        // Floor 3: images (IDX, PNG, JPEG), image-caption files, Fashion-MNIST, Shapes, image augmentations.
        // Text for its file readers (CSV, lines, located errors) used by the caption files.
        .target(name: "Vision", dependencies: ["Tensors", "Text", "CZlib", "CPNG", "CJPEG"], swiftSettings: vectorized),
        // Floor 4: models (BERT, image encoders, ALIGN, VLMo, ALBEF) with their folder formats, pretrained loading and export.
        .target(name: "Models", dependencies: ["Tensors", "NeuralNetworks", "Text", "Objectives", "Vision"],
                exclude: ["Resources/README.md"], resources: [.copy("Resources/uncased-vocab.txt")]),
        // Floor 5: training methods over one trainer (SimCSE, ESimCSE, CERT, ...), checkpoints.
        .target(name: "Methods", dependencies: ["Tensors", "NeuralNetworks", "Objectives", "Text", "Augmentation", "Vision", "Models", "Collectives"]),
        // Floor 5: evaluators (STS, linear probe, k-NN, zero-shot, retrieval recall, ALBEF's re-ranking), reports, progress display.
        .target(name: "Evaluation", dependencies: ["Tensors", "NeuralNetworks", "Objectives", "Text", "Vision", "Models", "CHNSW"]),
        // Floor 0: Open MPI's C API (Debian libopenmpi-dev); only `Distributed` and the CLI link it.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "mpi-c"),
        // Floor 3: `Communicator` over MPI for runs launched by `mpirun`.
        .target(name: "Distributed", dependencies: ["CMPI", "Collectives", "Tensors"]),
        // Floor 6: the command-line tool.
        .executableTarget(
            name: "ContrastCLI",
            dependencies: [
                "Tensors", "NeuralNetworks", "Objectives", "Text", "Augmentation", "Vision", "Models", "Methods", "Evaluation",
                "Collectives", "Distributed", "CCPUFeatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Tensors", "TestSupport"]),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives", "Tensors"]),
        // Locations of the repository, test fixtures and pretrained model, for every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TextTests", dependencies: ["Text", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Text", "NeuralNetworks", "Tensors", "Vision", "TestSupport"]),
        .testTarget(name: "MethodsTests", dependencies: ["Methods", "Models", "Objectives", "Vision", "Text", "NeuralNetworks", "Tensors", "TestSupport"]),
        .testTarget(name: "ObjectivesTests", dependencies: ["Objectives", "Tensors", "TestSupport"]),
        .testTarget(
            name: "AugmentationTests", dependencies: ["Augmentation", "Tensors", "Text", "TestSupport"],
            exclude: ["Fixtures"]),  // read by path, like Tests/Fixtures
        .testTarget(name: "VisionTests", dependencies: ["Vision", "Tensors", "Text", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["ContrastCLI", "CCPUFeatures", "Evaluation", "Models", "NeuralNetworks", "Tensors", "Text", "Vision", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Models", "Tensors", "Text", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Evaluation", "TestSupport"]),
    ]
)

// libFuzzer targets (Fuzz/README.md), declared only when CONTRASTIVE_FUZZ is set so that plain
// `swift build` and `swift test` never compile them; scripts/fuzz.sh builds them with
// `-sanitize=fuzzer,address`.
if Context.environment["CONTRASTIVE_FUZZ"] != nil {
    let fuzzTargets: [(name: String, reads: Target.Dependency)] = [
        ("SafeTensors", "NeuralNetworks"), ("VocabTxt", "Text"), ("TokenizerJSON", "Text"), ("Tokenize", "Text"),
        ("Datasets", "Text"), ("Paraphrases", "Augmentation"), ("BertConfig", "Models"),
        ("Images", "Vision"), ("Captions", "Vision"),
    ]
    package.targets.append(.systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/Support"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: "Fuzz\(target.name)", dependencies: ["FuzzSupport", target.reads], path: "Fuzz/\(target.name)",
            exclude: ["corpus", "crashes"], sources: ["main.swift"],
            // ld.gold stops with an internal error on these links ("format_file_lineno"); lld links them.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]))
    }
}

/// The engine's kernels are plain loops that LLVM vectorises; AVX2 and FMA (every x86-64 server
/// since 2013) double their width over the baseline SSE2 target.
/// Debug builds optimise the engine too: unoptimised kernels make the test suite (which runs real
/// models) many times slower, and the engine is debugged through its tests, not a debugger.
var vectorized: [SwiftSetting] {
    [.unsafeFlags(["-target-cpu", "haswell"]), .unsafeFlags(["-O"], .when(configuration: .debug))]
}
