import ArgumentParser
import Methods
import Models
import NeuralNetworks
import Objectives
import Tensors
import Vision

/// `contrast bench image-train`: one training step of `train simclr` or `train align` with their
/// default models and batches on random 28x28 grayscale images (Fashion-MNIST's size).
struct BenchImageTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-train",
        abstract: "Images per second and peak memory of SimCLR or ALIGN training steps with `train`'s default model and batch.",
        discussion: """
            simclr: two random 28x28 grayscale views of each image through ResNet-8-wide (stages 16-64-256) and the \
            projection head (256-512-128, BatchNorm) as one batch, NT-Xent at temperature 0.2, backward, AdamW. \
            align: random 28x28 images through the ViT (patches of 7, 64 wide, 4 layers, FFN 256) and random 16-token \
            captions through the BERT text tower (64 wide, 2 layers), projections to 64, symmetric InfoNCE at the learned \
            logit scale, backward, AdamW. Both run as the trainer runs a step (one process, no gradient caching).
            """)

    enum Method: String, CaseIterable, ExpressibleByArgument {
        case simclr, align
    }

    /// Named `--shape` as in `bench train`, so that bench/compare-pytorch.sh passes both sides the same flags.
    @Option(name: .customLong("shape"), help: "The method whose step to time: simclr or align.") var method: Method = .simclr
    @Option(name: .customLong("batch-size"), help: "Images per batch (default: the method's training default, 256 for simclr, 128 for align).")
    var batchSize: Int?
    @Option(help: "Timed steps (after 2 warm-up steps); the median counts.") var repeats = 10
    @Option(help: "Precision of matrix products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    /// The fields of `bench train`'s result that bench/compare_table.py reads.
    struct Result: Encodable {
        let shape, precision, inputs: String
        let batch_size: Int
        /// Images per second (the name compare_table.py reads for every workload).
        let sentences_per_s: Double
        let ms_per_step: Double
        let peak_rss_mb: Double
        let peak_tensor_mb: Double
        let threads: Int
        let isa: String
        let kernels: [String]
    }

    /// The caption length of the step: ALIGN's longest caption (``ImageTextConfiguration/maxLength``).
    static let captionTokens = 16

    func validate() throws {
        guard (batchSize ?? 2) > 1, repeats > 0 else { throw ValidationError("--batch-size must be at least 2 and --repeats positive") }
    }

    func run() throws {
        let settings = TrainingSettings(method: method.rawValue)
        let batch = batchSize ?? settings.batchSize
        var generator = RandomGenerator(seed: 1)
        let images = { Tensor.normal([batch, 1, 28, 28], generator: &generator) }
        let parameters: [(name: String, tensor: Tensor)], step: () -> Tensor
        switch method {
        case .simclr:
            let simclr = try ImageTraining.method(for: settings, channels: 1)
            let (first, second) = (images(), images())
            parameters = simclr.trainedModules.flatMap { module in module.module.trainableParameters().map { ("\(module.name).\($0.name)", $0.tensor) } }
            step = { StepRunner(source: nil).loss(simclr.plan(first, second, shares: [0..<batch])).total }
        case .align:
            let align = try ALIGN(ImageTextConfiguration(method: "align", imageSize: 28, channels: 1, normalization: .fashionMNIST), seed: settings.seed)
            let pixels = images()
            let vocabulary = align.tokenizer.vocabularySize
            var ids = [Int]()
            for _ in 0..<batch {
                // [CLS], random words of the uncased vocabulary, [SEP].
                ids += [101] + (0..<(Self.captionTokens - 2)).map { _ in 1000 + generator.nextInt(below: vocabulary - 1000) } + [102]
            }
            let captions = TokenBatch(ids: ids, attentionMask: [Int](repeating: 1, count: ids.count), batch: batch, tokens: Self.captionTokens)
            parameters = align.trainableParameters()
            step = { align.contrast.symmetric(align.imageEmbeddings(pixels), align.textEmbeddings(captions)) }
        }
        let optimizer = AdamW(parameters: parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        let (seconds, kernels) = ModelBenchOptions.measuring(precision) {
            Stopwatch.median(warmup: 2, repeats: repeats) {
                optimizer.zeroGrad()
                step().backward()
                optimizer.step()
            }
        }
        let result = Result(shape: method.rawValue, precision: precision.rawValue, inputs: "images", batch_size: batch,
                            sentences_per_s: Double(batch) / seconds, ms_per_step: seconds * 1e3, peak_rss_mb: ProcessMemory.peakResidentMegabytes,
                            peak_tensor_mb: Double(TensorMemory.peakBytes) / 1_048_576, threads: Parallel.threadCount,
                            isa: kernels.isa, kernels: kernels.kernels)
        Report.result(json: json, "train \(method.rawValue) \(precision.rawValue) batch \(batch) x [1, 28, 28]: \(Format.fixed(result.ms_per_step, 1)) ms/step, "
            + "\(Format.fixed(result.sentences_per_s, 1)) images/s, peak RSS \(Format.fixed(result.peak_rss_mb, 0)) MB, "
            + "peak tensors \(Format.fixed(result.peak_tensor_mb, 0)) MB (\(result.threads) threads; oneDNN \(kernels.isa): \(kernels.kernels.joined(separator: ", ")))")
        if json { try Report.json(result) }
    }
}
