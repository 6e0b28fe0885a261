import Tensors
import Models

/// Every setting of a text training run, with the papers' defaults. Saved beside the run as
/// `config.json` (resolved: defaults filled in, flags applied) and read back on `--resume`.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    public var method: String = "simcse"
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
    /// Evaluate on the STS data every N steps (and at the end); `nil`: only at the end.
    public var evaluateEvery: Int?
    /// Write a resumable checkpoint every N steps; `nil`: by time only.
    public var checkpointEvery: Int?
    /// Write a resumable checkpoint when this many minutes have passed since the last one (or
    /// the start), so that a long run loses at most this much; `nil`: by steps only. A run
    /// stopped by SIGINT or SIGTERM writes one either way.
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
    /// Stop with an error on a non-finite loss or gradient (`false`: skip the step and count it).
    public var stopOnNonFinite: Bool = true
    /// Precision of matrix products: `bf16` rounds their operands to bfloat16 and accumulates in
    /// fp32, with fp32 master weights and fp32 reductions elsewhere (PyTorch's bf16 autocast).
    public var precision: MatmulPrecision = .fp32

    public init() {}

    /// How the trainer runs the steps.
    public var trainer: TrainerSettings {
        TrainerSettings(seed: seed, maxGradientNorm: maxGradientNorm, stopOnNonFinite: stopOnNonFinite, precision: precision,
                        gradientCacheChunk: gradientCacheChunk, evaluateEvery: evaluateEvery, checkpointEvery: checkpointEvery,
                        checkpointMinutes: checkpointMinutes)
    }

    /// The pooling used to evaluate and save the trained encoder.
    public var evaluationPooling: PoolingMode { pooling == .cls ? .clsBeforePooler : pooling }

    /// Problems with the settings, one line each (empty when valid).
    public var problems: [String] {
        var p: [String] = []
        if epochs < 1 { p.append("epochs must be at least 1") }
        if let s = maxSteps, s < 1 { p.append("max steps must be at least 1") }
        if batchSize < 2 { p.append("batch size must be at least 2 (in-batch negatives)") }
        if maxLength < 3 { p.append("max length must be at least 3") }
        if !(learningRate > 0) { p.append("learning rate must be positive") }
        if warmupSteps < 0 { p.append("warm-up steps must not be negative") }
        if weightDecay < 0 { p.append("weight decay must not be negative") }
        if let g = maxGradientNorm, !(g > 0) { p.append("max gradient norm must be positive") }
        if !(temperature > 0) { p.append("temperature must be positive") }
        if let e = evaluateEvery, e < 1 { p.append("evaluate-every must be at least 1") }
        if let c = checkpointEvery, c < 1 { p.append("checkpoint-every must be at least 1") }
        if let m = checkpointMinutes, !(m > 0 && m.isFinite) { p.append("checkpoint-minutes must be positive") }
        if let g = gradientCacheChunk, g < 1 { p.append("gradient-cache chunk must be at least 1") }
        if queueSize < 1 { p.append("queue size must be at least 1") }
        if !(momentum >= 0 && momentum < 1) { p.append("momentum must be in [0, 1)") }
        if !(duplicationRate >= 0 && duplicationRate <= 1) { p.append("duplication rate must be in [0, 1]") }
        return p
    }
}
