import ArgumentParser
import Foundation
import Methods
import Models
import Tensors

/// Flags shared by every `contrast train` method. Any flag can also come from `--config FILE`
/// (a JSON object of the same names); flags given on the command line win.
struct TrainOptions: ParsableArguments {
    @Option(help: "Start from this model folder (Hugging Face / sentence-transformers layout).") var model: String?
    @Option(help: "Start from a randomly initialised encoder of this shape: tiny, mini, minilm (for tests; makes STS worse than a pretrained start).")
    var `init`: BertConfiguration.Preset?
    @Option(help: "Plain corpus, one sentence per line (unsupervised).") var corpus: String?
    @Option(help: "Sentence pairs, TSV or CSV: sent0, sent1 (supervised positives).") var pairs: String?
    @Option(help: "Triplets, CSV with header sent0,sent1,hard_neg (supervised with hard negatives).") var triplets: String?
    @Option(help: "SICK file turned into supervised examples (entailments as positives, contradictions as hard negatives).") var sick: String?
    @Option(help: "Run folder: the trained model, metrics.jsonl, training_config.json, checkpoints.") var output: String
    @Option(help: "Settings file: JSON, or flat YAML (.yaml/.yml), named as in a run's training_config.json (e.g. learningRate: 3e-5); flags win.") var config: String?

    @Option(help: "Passes over the data.") var epochs: Int?
    @Option(name: .customLong("max-steps"), help: "Stop after this many steps (overrides --epochs).") var maxSteps: Int?
    @Option(name: .customLong("batch-size"), help: "Examples per step and process (under mpirun -np P, a step's batch is P times this).") var batchSize: Int?
    @Option(name: .customLong("max-length"), help: "Tokens per sentence.") var maxLength: Int?
    @Option(help: "Peak learning rate.") var lr: Float?
    @Option(help: "Learning-rate schedule: linear, constant, cosine.") var schedule: LearningRateDecay?
    @Option(name: .customLong("warmup-steps"), help: "Linear warm-up steps.") var warmupSteps: Int?
    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay (biases and LayerNorm excluded).") var weightDecay: Float?
    @Option(name: .customLong("max-grad-norm"), help: "Clip the global gradient norm (0 disables).") var maxGradNorm: Float?
    @Option(help: "Softmax temperature of the contrastive loss.") var temperature: Float?
    @Option(help: "Pooling: cls (MLP in training only), cls_before_pooler, mean, max, avg_first_last, avg_top2.") var pooling: PoolingMode?
    @Option(help: "Random seed (data order, dropout, augmentations, new layers).") var seed: UInt64?
    @Option(name: .customLong("hard-negative-weight"), help: "Log-weight on each anchor's own hard negative.") var hardNegativeWeight: Float?
    @Option(help: "Positive-making augmentation: none (dropout noise only), repetition[:rate], deletion[:p], insertion[:rate], swap[:rate], cutoff-token[:rate], cutoff-span[:rate], cutoff-feature[:rate], back-translation.")
    var augment: String?
    @Option(help: "Back-translation paraphrases: TSV (sentence, paraphrases...) or JSONL {\"text\", \"paraphrases\"}.") var paraphrases: String?
    @Option(name: .customLong("queue-size"), help: "Momentum-encoder queue length (ESimCSE, CERT).") var queueSize: Int?
    @Option(help: "Momentum of the momentum encoder.") var momentum: Float?
    @Option(name: .customLong("dup-rate"), help: "ESimCSE word-repetition rate.") var dupRate: Float?

    @Option(name: .customLong("grad-cache-chunk"), help: "Gradient caching: embed the batch in chunks of N rows and replay them for the backward pass (large batches in small memory).")
    var gradCacheChunk: Int?
    @Option(name: .customLong("eval-data"), help: "STS file evaluated during training (STS-B or SICK format).") var evalData: String?
    @Option(name: .customLong("eval-format"), help: "Format of --eval-data: stsb or sick (default: guessed from the file).") var evalFormat: STSFormat?
    @Option(name: .customLong("eval-every"), help: "Evaluate every N steps (and at the end).") var evalEvery: Int?
    @OptionGroup var runOptions: RunFolderOptions
    @Flag(name: .customLong("skip-nonfinite"), help: "Skip steps whose loss or gradients are not finite instead of stopping.") var skipNonFinite = false
    @Option(help: "Precision of matrix products: fp32, or bf16 (bf16 operands, fp32 accumulation and master weights).")
    var precision: MatmulPrecision?
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON summary as the last line of stdout.") var json = false

    /// The settings: method defaults, then the config file, then flags.
    func resolvedConfiguration(method: String, defaults: TrainingConfiguration) throws -> TrainingConfiguration {
        var c = defaults
        c.method = method
        if let config { try ConfigFile.apply(URL(fileURLWithPath: config), to: &c) }
        if let epochs { c.epochs = epochs }
        if let maxSteps { c.maxSteps = maxSteps }
        if let batchSize { c.batchSize = batchSize }
        if let maxLength { c.maxLength = maxLength }
        if let lr { c.learningRate = lr }
        if let schedule { c.schedule = schedule }
        if let warmupSteps { c.warmupSteps = warmupSteps }
        if let weightDecay { c.weightDecay = weightDecay }
        if let maxGradNorm { c.maxGradientNorm = maxGradNorm == 0 ? nil : maxGradNorm }
        if let temperature { c.temperature = temperature }
        if let pooling { c.pooling = pooling }
        if let seed { c.seed = seed }
        if let hardNegativeWeight { c.hardNegativeWeight = hardNegativeWeight }
        if let augment { c.augmentation = augment }
        if let queueSize { c.queueSize = queueSize }
        if let momentum { c.momentum = momentum }
        if let dupRate { c.duplicationRate = dupRate }
        if let evalEvery { c.evaluateEvery = evalEvery }
        runOptions.apply(every: &c.checkpointEvery, minutes: &c.checkpointMinutes)
        if let gradCacheChunk { c.gradientCacheChunk = gradCacheChunk }
        if skipNonFinite { c.stopOnNonFinite = false }
        if let precision { c.precision = precision }
        if let problem = c.problems.first { throw ValidationError(problem) }
        return c
    }

    func validate() throws {
        guard (model == nil) != (`init` == nil) else { throw ValidationError("give exactly one of --model DIR and --init SHAPE") }
        let sources = [corpus, pairs, triplets, sick].compactMap { $0 }
        guard sources.count == 1 else { throw ValidationError("give exactly one of --corpus, --pairs, --triplets and --sick") }
    }
}

/// The STS file formats `--eval-data` reads.
enum STSFormat: String, ExpressibleByArgument, CaseIterable {
    case stsb, sick
}

extension LearningRateDecay: ExpressibleByArgument {}
extension MatmulPrecision: ExpressibleByArgument {}
