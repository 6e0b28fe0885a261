import ArgumentParser
import Methods
import Models
import NeuralNetworks
import Tensors

/// `contrast bench encode`: inference throughput of an encoder of a named shape.
struct BenchEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Sentences (or images) per second encoding random batches with an encoder of a named shape and random weights.",
        discussion: EncoderShape.allCases.map { "\($0.rawValue): \($0.summary)." }.joined(separator: " ")
            + " Evaluation mode, no gradients. Text encoders are mean-pooled; CLIP's towers pool as CLIP does (the end-of-text token, the class token).")

    @OptionGroup var model: ModelBenchOptions
    @Option(help: "Timed batches (after 3 warm-up batches).") var repeats = 20

    func validate() throws {
        try model.validate(repeats: repeats)
    }

    func run() throws {
        let workload = model.randomWorkload()
        let (shape, batchSize, json) = (model.shape, model.batchSize, model.json)
        workload.model.eval()
        let (seconds, kernels) = model.measuring {
            Stopwatch.median(repeats: repeats) { withoutGradient { workload.encode() } }
        }
        let result = model.result(secondsPerBatch: seconds, kernels: kernels, peakTensorMegabytes: Double(TensorMemory.peakBytes) / 1_048_576)
        let input = shape.isImageEncoder ? "\(workload.imageShape)" : "\(result.seq_len)"
        Report.result(json: json, "encode \(shape.rawValue) \(result.precision) batch \(batchSize) x \(input): \(Format.fixed(result.ms_per_step, 1)) ms/batch, "
            + "\(Format.fixed(result.sentences_per_s, 1)) \(result.inputs)/s, peak RSS \(Format.fixed(result.peak_rss_mb, 0)) MB, tensors \(Format.fixed(result.peak_tensor_mb ?? 0, 0)) MB "
            + "(\(result.threads) threads; \(result.kernelSummary))")
        if json { try Report.json(result) }
    }
}

/// The encoders `bench encode` and `bench train` time: BERT presets, and the shapes of public
/// checkpoints (the library's configurations of them) with random weights.
enum EncoderShape: String, CaseIterable, ExpressibleByArgument {
    case tiny, mini, minilm
    case bertBase = "bert-base"
    case mpnetBase = "mpnet-base"
    case xlmrBase = "xlmr-base"
    case modernbertBase = "modernbert-base"
    case clipB32Text = "clip-b32-text"
    case clipB32Image = "clip-b32-image"

    /// Whether the shape is one of the text encoders the training methods take (not CLIP's towers).
    var isTextEncoder: Bool { self != .clipB32Text && self != .clipB32Image }

    /// Whether the inputs are images rather than sentences.
    var isImageEncoder: Bool { self == .clipB32Image }

    /// The longest input in tokens; `nil` for images.
    var maxTokens: Int? {
        switch self {
        case .tiny, .mini, .minilm, .bertBase: BertConfiguration(preset: bertPreset!).maxTokens
        case .xlmrBase: BertConfiguration.xlmRobertaBase.maxTokens
        case .mpnetBase: MPNetConfiguration.base.maxTokens
        case .modernbertBase: ModernBertConfiguration.base.maxTokens
        case .clipB32Text: CLIPConfiguration.vitBase32.text.maxPositions
        case .clipB32Image: nil
        }
    }

    /// The BERT preset of the shapes that are one.
    var bertPreset: BertConfiguration.Preset? { BertConfiguration.Preset(rawValue: rawValue) }

    /// One line for `--help`, read from the configuration.
    var summary: String {
        func widths(_ hidden: Int, _ layers: Int, _ heads: Int, _ ffn: Int) -> String { "hidden \(hidden), \(layers) layers, \(heads) heads, FFN \(ffn)" }
        switch self {
        case .tiny, .mini, .minilm, .bertBase:
            let c = BertConfiguration(preset: bertPreset!)
            return "BERT, \(widths(c.hiddenSize, c.layers, c.heads, c.intermediateSize)), vocabulary \(c.vocabularySize)"
        case .xlmrBase:
            let c = BertConfiguration.xlmRobertaBase
            return "xlm-roberta-base, \(widths(c.hiddenSize, c.layers, c.heads, c.intermediateSize)), vocabulary \(c.vocabularySize)"
        case .mpnetBase:
            let c = MPNetConfiguration.base
            return "mpnet-base, \(widths(c.hiddenSize, c.layers, c.heads, c.intermediateSize)), vocabulary \(c.vocabularySize)"
        case .modernbertBase:
            let c = ModernBertConfiguration.base
            return "ModernBERT-base, \(widths(c.hiddenSize, c.layers, c.heads, c.intermediateSize)) (gated), vocabulary \(c.vocabularySize), "
                + "local attention over \(c.localAttention) tokens, global every \(c.globalAttentionEvery) layers"
        case .clipB32Text:
            let c = CLIPConfiguration.vitBase32.text
            return "CLIP ViT-B/32's text tower, \(widths(c.hiddenSize, c.layers, c.heads, c.intermediateSize)), vocabulary \(c.vocabularySize), "
                + "at most \(c.maxPositions) tokens, causal"
        case .clipB32Image:
            let c = CLIPConfiguration.vitBase32.vision
            return "CLIP ViT-B/32's image tower, \(widths(c.hiddenSize, c.layers, c.heads, c.intermediateSize)), random \(c.imageSize)x\(c.imageSize) "
                + "RGB images in patches of \(c.patchSize) (--max-length does not apply)"
        }
    }
}

/// A randomly initialised encoder with a random batch of its inputs.
struct EncodeWorkload {
    let model: Module
    /// Encodes the batch into pooled embeddings.
    let encode: () -> Void
    /// `[channels, height, width]` of the images, for an image encoder.
    let imageShape: [Int]
}

/// The model and input shape shared by `bench encode` and `bench train`.
struct ModelBenchOptions: ParsableArguments {
    @Option(help: "The encoder to time (each is described above).")
    var shape: EncoderShape = .minilm
    @Option(name: .customLong("batch-size"), help: "Sentences (or images) per batch.") var batchSize = 64
    @Option(name: .customLong("max-length"), help: "Tokens per sentence (not for images).") var seqLen = 32
    @Option(help: "Precision of matrix products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    /// What `bench encode` and `bench train` report (`--json`).
    struct Result: Encodable {
        let shape, precision: String
        /// What a batch holds: `sentences`, or `images` (whose throughput `sentences_per_s` then gives).
        let inputs: String
        let batch_size: Int
        /// Tokens per input: `--max-length`, or an image's patches and class token.
        let seq_len: Int
        let sentences_per_s: Double
        let ms_per_step: Double
        let peak_rss_mb: Double
        /// The most bytes tensors held at once (values, activations, and in training gradients and optimizer state).
        let peak_tensor_mb: Double?
        let threads: Int
        /// oneDNN's instruction set and the kernels the products ran on (``KernelReport``).
        let isa: String
        let kernels: [String]
        let bf16_products: String

        var kernelSummary: String { "oneDNN \(isa): \(kernels.joined(separator: ", "))" }
    }

    /// Runs `body` in this benchmark's precision, recording the kernels its products ran on.
    func measuring(_ body: () -> Double) -> (seconds: Double, kernels: KernelReport) { Self.measuring(precision, body) }

    /// Runs `body` in `precision`, recording the kernels its products ran on.
    static func measuring(_ precision: MatmulPrecision, _ body: () -> Double) -> (seconds: Double, kernels: KernelReport) {
        let (seconds, names) = withMatmulPrecision(precision) { GEMM.recordingImplementations(body) }
        let report = KernelReport(names)
        Report.warnAboutReferenceKernels(report)
        return (seconds, report)
    }

    func result(secondsPerBatch seconds: Double, kernels: KernelReport, peakTensorMegabytes: Double? = nil) -> Result {
        let vision = CLIPConfiguration.vitBase32.vision
        return Result(shape: shape.rawValue, precision: precision.rawValue, inputs: shape.isImageEncoder ? "images" : "sentences",
                      batch_size: batchSize, seq_len: shape.isImageEncoder ? vision.patchCount + 1 : seqLen,
                      sentences_per_s: Double(batchSize) / seconds, ms_per_step: seconds * 1e3,
                      peak_rss_mb: ProcessMemory.peakResidentMegabytes, peak_tensor_mb: peakTensorMegabytes, threads: Parallel.threadCount,
                      isa: kernels.isa, kernels: kernels.kernels, bf16_products: kernels.bf16Products)
    }

    func validate(repeats: Int) throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func validate() throws {
        guard batchSize > 1 else { throw ValidationError("--batch-size must be at least 2") }
        if let maxTokens = shape.maxTokens, !(2...maxTokens).contains(seqLen) {
            throw ValidationError("--max-length must be within 2...\(maxTokens) for \(shape.rawValue)")
        }
    }

    /// The encoder of `shape` with random weights, and a batch for it: random token ids framed by
    /// the family's start and end tokens, without padding, or random normal pixels.
    func randomWorkload() -> EncodeWorkload {
        var generator = RandomGenerator(seed: 1)
        let source = RandomSource(seed: 2)
        switch shape {
        case .clipB32Text:
            let model = CLIPTextTransformer(CLIPConfiguration.vitBase32.text, source: source, generator: &generator)
            let c = model.configuration
            let batch = randomBatch(first: c.bosTokenID, last: c.eosTokenID, vocabularySize: c.vocabularySize, generator: &generator)
            return EncodeWorkload(model: model, encode: { _ = model(batch).pooled }, imageShape: [])
        case .clipB32Image:
            let model = CLIPVisionTransformer(CLIPConfiguration.vitBase32.vision, source: source, generator: &generator)
            let c = model.configuration
            let imageShape = [c.channels, c.imageSize, c.imageSize]
            let pixels = Tensor.normal([batchSize] + imageShape, generator: &generator)
            return EncodeWorkload(model: model, encode: { _ = model(pixels).pooled }, imageShape: imageShape)
        default:
            let (model, batch) = randomTextEncoder(generator: &generator, source: source)
            let pooling = Pooling(mode: .mean)
            return EncodeWorkload(model: model, encode: { _ = pooling(model(batch, hiddenStates: pooling.mode.hiddenStates), attentionMask: batch.attentionMask) }, imageShape: [])
        }
    }

    /// The text encoder of `shape` (one ``EncoderShape/isTextEncoder``) with random weights, and
    /// a batch of random ids framed by its start and end tokens.
    func randomTextEncoder() -> (any TextEncoderModel, TokenBatch) {
        var generator = RandomGenerator(seed: 1)
        return randomTextEncoder(generator: &generator, source: RandomSource(seed: 2))
    }

    private func randomTextEncoder(generator: inout RandomGenerator, source: RandomSource) -> (any TextEncoderModel, TokenBatch) {
        let model: any TextEncoderModel, frame: (first: Int, last: Int)
        switch shape {
        case .tiny, .mini, .minilm, .bertBase, .xlmrBase:
            let c = shape == .xlmrBase ? BertConfiguration.xlmRobertaBase : BertConfiguration(preset: shape.bertPreset!)
            model = BertModel(c, withPooler: false, source: source, generator: &generator)
            // [CLS] and [SEP] of the uncased vocabulary; <s> and </s> of XLM-R's (its config.json's
            // bos and eos, which the configuration does not keep).
            frame = shape == .xlmrBase ? (0, 2) : (101, 102)
        case .mpnetBase:
            let c = MPNetConfiguration.base
            model = MPNetModel(c, withPooler: false, source: source, generator: &generator)
            frame = (c.bosTokenID, c.eosTokenID)
        case .modernbertBase:
            let c = ModernBertConfiguration.base
            model = ModernBertModel(c, source: source, generator: &generator)
            frame = (c.clsTokenID, c.sepTokenID)
        case .clipB32Text, .clipB32Image:
            preconditionFailure("\(shape.rawValue) is not a text encoder the training methods take")
        }
        return (model, randomBatch(first: frame.first, last: frame.last, vocabularySize: model.vocabularySize, generator: &generator))
    }

    /// `[batchSize, seqLen]` ids, each row `first`, random ids, `last`, without padding. The
    /// random ids are at least 1000 and below the frame's ids above 1000 (the special tokens at the
    /// end of CLIP's and ModernBERT's vocabularies), or below the vocabulary's end.
    private func randomBatch(first: Int, last: Int, vocabularySize: Int, generator: inout RandomGenerator) -> TokenBatch {
        let end = [first, last].filter { $0 >= 1000 }.min() ?? vocabularySize
        var ids = [Int]()
        for _ in 0..<batchSize {
            ids.append(first)
            for _ in 0..<(seqLen - 2) { ids.append(1000 + generator.nextInt(below: end - 1000)) }
            ids.append(last)
        }
        return TokenBatch(ids: ids, attentionMask: [Int](repeating: 1, count: ids.count), batch: batchSize, tokens: seqLen)
    }
}
