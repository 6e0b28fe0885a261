import ArgumentParser
import Methods
import Models
import NeuralNetworks
import Tensors

/// `contrast bench encode`: inference throughput of a BERT of a named shape.
struct BenchEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Sentences per second encoding random token batches with a BERT of a named shape.",
        discussion: "minilm: hidden 384, 6 layers, 12 heads, FFN 1536; mini: 256, 4, 4, 1024; vocabulary 30,522. Evaluation mode, no gradients, mean pooling.")

    @OptionGroup var model: ModelBenchOptions
    @Option(help: "Timed batches (after 3 warm-up batches).") var repeats = 20

    func validate() throws {
        try model.validate(repeats: repeats)
    }

    func run() throws {
        let (model, batch) = self.model.randomModelAndBatch()
        let (shape, batchSize, seqLen, json) = (self.model.shape, self.model.batchSize, self.model.seqLen, self.model.json)
        model.eval()
        let pooling = Pooling(mode: .mean)
        let (seconds, kernels) = self.model.measuring {
            Stopwatch.median(repeats: repeats) {
                _ = withoutGradient { pooling(model(batch), attentionMask: batch.attentionMask) }
            }
        }
        let result = self.model.result(secondsPerBatch: seconds, kernels: kernels)
        Report.result(json: json, "encode \(shape.rawValue) \(result.precision) batch \(batchSize) x \(seqLen): \(Format.fixed(result.ms_per_step, 1)) ms/batch, "
            + "\(Format.fixed(result.sentences_per_s, 1)) sentences/s (\(result.threads) threads; \(result.kernelSummary))")
        if json { try Report.json(result) }
    }
}

extension BertConfiguration.Preset: ExpressibleByArgument {}

/// The model and input shape shared by `bench encode` and `bench train`.
struct ModelBenchOptions: ParsableArguments {
    @Option(help: "Encoder shape: \(BertConfiguration.Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var shape: BertConfiguration.Preset = .minilm
    @Option(name: .customLong("batch-size"), help: "Sentences per batch.") var batchSize = 64
    @Option(name: .customLong("max-length"), help: "Tokens per sentence.") var seqLen = 32
    @Option(help: "Precision of matrix products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    /// What `bench encode` and `bench train` report (`--json`).
    struct Result: Encodable {
        let shape, precision: String
        let batch_size, seq_len: Int
        let sentences_per_s: Double
        let ms_per_step: Double
        let peak_rss_mb: Double
        /// The most bytes tensors held at once (values, activations, gradients, optimizer state); training only.
        let peak_tensor_mb: Double?
        let threads: Int
        /// oneDNN's instruction set and the kernels the products ran on (``KernelReport``).
        let isa: String
        let kernels: [String]
        let bf16_products: String

        var kernelSummary: String { "oneDNN \(isa): \(kernels.joined(separator: ", "))" }
    }

    /// Runs `body` in this benchmark's precision, recording the kernels its products ran on.
    func measuring(_ body: () -> Double) -> (seconds: Double, kernels: KernelReport) {
        let (seconds, names) = withMatmulPrecision(precision) { GEMM.recordingImplementations(body) }
        let report = KernelReport(names)
        Report.warnAboutReferenceKernels(report)
        return (seconds, report)
    }

    func result(secondsPerBatch seconds: Double, kernels: KernelReport, peakTensorMegabytes: Double? = nil) -> Result {
        Result(shape: shape.rawValue, precision: precision.rawValue, batch_size: batchSize, seq_len: seqLen,
               sentences_per_s: Double(batchSize) / seconds, ms_per_step: seconds * 1e3,
               peak_rss_mb: ProcessMemory.peakResidentMegabytes, peak_tensor_mb: peakTensorMegabytes, threads: Parallel.threadCount,
               isa: kernels.isa, kernels: kernels.kernels, bf16_products: kernels.bf16Products)
    }

    func validate(repeats: Int) throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func validate() throws {
        guard batchSize > 1, seqLen >= 2, seqLen <= 512 else { throw ValidationError("--batch-size must be at least 2, --max-length within 2...512") }
    }

    /// A randomly initialised BERT of `shape` and a `[batchSize, seqLen]` batch of random ids
    /// framed by [CLS] (101) and [SEP] (102), without padding.
    func randomModelAndBatch() -> (BertModel, TokenBatch) {
        var generator = RandomGenerator(seed: 1)
        let model = BertModel(BertConfiguration(preset: shape), source: RandomSource(seed: 2), generator: &generator)
        var ids = [Int]()
        for _ in 0..<batchSize {
            ids.append(101)
            for _ in 0..<(seqLen - 2) { ids.append(1000 + generator.nextInt(below: model.configuration.vocabularySize - 1000)) }
            ids.append(102)
        }
        return (model, TokenBatch(ids: ids, attentionMask: [Int](repeating: 1, count: ids.count), batch: batchSize, tokens: seqLen))
    }
}
