import Models
import Tensors
import Text

/// Every setting of a text training run (`contrast train simcse|esimcse|cert`), with the papers'
/// defaults, the starting model and the data included, recorded in the run folder's
/// `training_config.json` and read back on `--resume`.
public struct TrainingConfiguration: Sendable, Equatable, CommonSettings {
    /// `simcse`, `esimcse` or `cert`.
    public var method: String = "simcse"
    /// The model folder training starts from (Hugging Face / sentence-transformers layout).
    public var model: String?
    /// Or a randomly initialised encoder of this shape (for tests; STS is worse than from a pretrained start).
    public var initialShape: BertConfiguration.Preset?
    /// The training data: a plain corpus, sentence pairs, triplets or a SICK file (exactly one).
    public var corpus: String?, pairs: String?, triplets: String?, sick: String?
    /// Back-translated paraphrases for `augmentation` `back-translation`.
    public var paraphrases: String?
    /// An STS file evaluated during training, its format (`nil`: guessed from its name) and how
    /// often (`nil`: at the end only).
    public var evaluationData: String?
    public var evaluationFormat: STSFileFormat?
    public var evaluateEvery: Int?
    /// Passes over the training data (ignored when `maxSteps` is set).
    public var epochs: Int = 1
    public var maxSteps: Int?
    /// Examples per step and process (a data-parallel step over P processes sees P times this).
    public var batchSize: Int = 64
    public var maxLength: Int = 32
    public var learningRate: Float = 3e-5
    public var schedule: LearningRateDecay = .linear
    public var warmupSteps: Int = 0
    /// AdamW's decoupled weight decay (Hugging Face Trainer's default, 0, as SimCSE used it).
    public var weightDecay: Float = 0
    /// Global gradient-norm clipping (Hugging Face Trainer's default 1.0); `nil` disables it.
    public var maxGradientNorm: Float? = 1.0
    public var temperature: Float = 0.05
    /// Training pooling. `cls` trains with SimCSE's MLP over [CLS] and evaluates and saves with
    /// `cls_before_pooler` (the MLP is used in training only).
    public var pooling: PoolingMode = .cls
    public var seed: UInt64 = 42
    public var checkpointEvery: Int?
    /// Minutes between checkpoints, so that a long run loses at most this much (`nil`: by steps only).
    public var checkpointMinutes: Double? = 10
    /// Supervised SimCSE's log-weight on each anchor's own hard negative.
    public var hardNegativeWeight: Float = 0
    /// The positive-making augmentation (`none` = dropout noise only).
    public var augmentation: String = "none"
    /// ESimCSE / CERT queue length and momentum.
    public var queueSize: Int = 160
    public var momentum: Float = 0.995
    /// ESimCSE's word-repetition rate.
    public var duplicationRate: Float = 0.32
    /// Gradient caching (GradCache): embed the batch in chunks of this many rows without a graph,
    /// then replay each chunk with its dropout masks to back-propagate; `nil` disables it.
    public var gradientCacheChunk: Int?
    /// Skip (and count) steps whose loss or gradients are not finite instead of stopping.
    public var skipNonFinite = false
    /// Precision of matrix products: `bf16` rounds their operands to bfloat16 and accumulates in
    /// fp32, with fp32 master weights and fp32 reductions elsewhere (PyTorch's bf16 autocast).
    public var precision: MatmulPrecision = .fp32
    /// CERT's second stage: SICK files to fine-tune an entailment classifier on and to measure
    /// it on, and its epochs.
    public var fineTuningData: String?, fineTuningEvaluation: String?
    public var fineTuningEpochs = 3

    public init() {}

    /// The pooling used to evaluate and save the trained encoder.
    public var evaluationPooling: PoolingMode { pooling == .cls ? .clsBeforePooler : pooling }

    /// How the trainer runs the steps.
    public var trainer: TrainerSettings { trainer(gradientCacheChunk: gradientCacheChunk, evaluateEvery: evaluateEvery) }

    /// The settings of `method`: the shared ones, the text methods' and the method's own.
    public var settings: [Setting<Self>] {
        var list: [Setting<Self>] = [
            Setting("model", \.model, "Start from this model folder (Hugging Face / sentence-transformers layout).", valueName: "path"),
            Setting("init", \.initialShape, "Or start from a randomly initialised encoder of this shape (for tests)."),
            Setting("corpus", \.corpus, "Plain corpus, one sentence per line (unsupervised).", valueName: "path")]
        if method == "simcse" {
            list += [Setting("pairs", \.pairs, "Sentence pairs, TSV or CSV: sent0, sent1 (supervised positives).", valueName: "path"),
                     Setting("triplets", \.triplets, "Triplets, CSV with header sent0,sent1,hard_neg (supervised with hard negatives).", valueName: "path"),
                     Setting("sick", \.sick, "SICK file as supervised examples (entailments positives, contradictions hard negatives).", valueName: "path"),
                     Setting("hard-negative-weight", \.hardNegativeWeight, "Log-weight on each anchor's own hard negative.")]
        }
        list += [Setting("epochs", \.epochs, "Passes over the data.", changeableOnResume: true)] + Self.commonSettings + [
            Setting("max-length", \.maxLength, "Tokens per sentence."),
            Setting("schedule", \.schedule, "Learning-rate decay after the warm-up."),
            Setting("warmup-steps", \.warmupSteps, "Linear warm-up steps."),
            Setting("temperature", \.temperature, "Softmax temperature of the contrastive loss."),
            Setting("pooling", \.pooling, "Pooling (cls: SimCSE's MLP over [CLS] in training only)."),
            Setting("augment", \.augmentation, "Positive-making augmentation: none (dropout noise only), repetition[:rate], deletion[:p], "
                    + "insertion[:rate], swap[:rate], cutoff-token[:rate], cutoff-span[:rate], cutoff-feature[:rate], back-translation."),
            Setting("paraphrases", \.paraphrases, "Back-translation paraphrases: TSV (sentence, paraphrases...) or JSONL {\"text\", \"paraphrases\"}.", valueName: "path"),
            Setting("grad-cache-chunk", \.gradientCacheChunk, "Gradient caching: embed the batch in chunks of N rows and replay them for the backward pass."),
            Setting("eval-data", \.evaluationData, "STS file evaluated during training and at the end (STS-B or SICK format); the best model goes to best/.", valueName: "path"),
            Setting("eval-format", \.evaluationFormat, "Format of --eval-data (none: guessed from the file name)."),
            Setting("eval-every", \.evaluateEvery, "Evaluate every N steps (none: at the end only).", changeableOnResume: true)]
        if method != "simcse" {
            list += [Setting("queue-size", \.queueSize, "Momentum-encoder queue length."),
                     Setting("momentum", \.momentum, "Momentum of the key encoder.")]
        }
        if method == "esimcse" { list.append(Setting("dup-rate", \.duplicationRate, "Word-repetition rate of the positive view.")) }
        if method == "cert" {
            list += [Setting("finetune-data", \.fineTuningData, "SICK file to fine-tune the entailment classifier on (stage 2).", valueName: "path"),
                     Setting("finetune-eval", \.fineTuningEvaluation, "SICK file the classifier's accuracy is measured on.", valueName: "path"),
                     Setting("finetune-epochs", \.fineTuningEpochs, "Fine-tuning epochs.")]
        }
        return list
    }

    /// Problems with the settings, one line each (empty when valid): ``valueProblems`` and the
    /// starting model and data a run from the command line needs.
    public var problems: [String] {
        var p: [String] = []
        if (model == nil) == (initialShape == nil) { p.append("give exactly one of --model DIR and --init SHAPE") }
        if [corpus, pairs, triplets, sick].compactMap({ $0 }).count != 1 {
            p.append(method == "simcse" ? "give exactly one of --corpus, --pairs, --triplets and --sick" : "\(method) trains on a plain corpus (--corpus)")
        }
        return p + valueProblems
    }

    /// Problems with the values of the settings (what a trainer given its model and data checks).
    public var valueProblems: [String] {
        var p = commonProblems
        if epochs < 1 { p.append("epochs must be at least 1") }
        if maxLength < 3 { p.append("max-length must be at least 3") }
        if warmupSteps < 0 { p.append("warmup-steps must not be negative") }
        if !(temperature > 0) { p.append("temperature must be positive") }
        if let e = evaluateEvery, e < 1 { p.append("eval-every must be at least 1") }
        if let g = gradientCacheChunk, g < 1 { p.append("grad-cache-chunk must be at least 1") }
        if queueSize < 1 { p.append("queue-size must be at least 1") }
        if !(momentum >= 0 && momentum < 1) { p.append("momentum must be in [0, 1)") }
        if !(duplicationRate >= 0 && duplicationRate <= 1) { p.append("dup-rate must be in [0, 1]") }
        if (fineTuningData == nil) != (fineTuningEvaluation == nil) { p.append("give both --finetune-data and --finetune-eval, or neither") }
        if fineTuningEpochs < 1 { p.append("finetune-epochs must be at least 1") }
        return p
    }
}

extension BertConfiguration.Preset: SettingChoice {}
extension STSFileFormat: SettingChoice {}
