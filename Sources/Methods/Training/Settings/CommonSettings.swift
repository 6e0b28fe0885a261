import Tensors

/// The settings every method has: its seed, how many steps of what batch, AdamW's rate and decay,
/// and how the ``Trainer`` clips, guards, multiplies and checkpoints. Declared once here
/// (``commonSettings``), so every method names them alike.
public protocol CommonSettings: RunSettings {
    var seed: UInt64 { get set }
    var maxSteps: Int? { get set }
    /// Examples per step and process.
    var batchSize: Int { get set }
    var learningRate: Float { get set }
    var weightDecay: Float { get set }
    var maxGradientNorm: Float? { get set }
    var skipNonFinite: Bool { get set }
    var precision: MatmulPrecision { get set }
    var checkpointEvery: Int? { get set }
    var checkpointMinutes: Double? { get set }
}

extension CommonSettings {
    /// The shared settings, as every method lists them.
    public static var commonSettings: [Setting<Self>] {
        [Setting("seed", \.seed, "Random seed: initialisation, data order, augmentations, dropout."),
         Setting("max-steps", \.maxSteps, "Train this many steps (overrides --epochs).", changeableOnResume: true),
         Setting("batch-size", \.batchSize, "Examples per step and process (under mpirun -np P a step sees P times this)."),
         Setting("lr", \.learningRate, "Peak learning rate (AdamW)."),
         Setting("weight-decay", \.weightDecay, "AdamW's decoupled weight decay (biases and norm weights exempt)."),
         Setting("max-grad-norm", \.maxGradientNorm, "Clip the global gradient norm to this (none: no clipping)."),
         Setting("skip-nonfinite", \.skipNonFinite, "Skip steps whose loss or gradients are not finite instead of stopping.", changeableOnResume: true),
         Setting("precision", \.precision, "Precision of matrix products: fp32, or bf16 (bf16 operands, fp32 accumulation and master weights)."),
         Setting("checkpoint-every", \.checkpointEvery, "Write a resumable checkpoint every N steps (none: by time only).", changeableOnResume: true),
         Setting("checkpoint-minutes", \.checkpointMinutes, "Write a resumable checkpoint when this many minutes passed since the last (none or 0: by steps only).",
                 changeableOnResume: true)]
    }

    /// What is wrong with the shared settings (empty when they are usable).
    public var commonProblems: [String] {
        var found: [String] = []
        if let maxSteps, maxSteps < 1 { found.append("max-steps must be at least 1") }
        if batchSize < 2 { found.append("batch-size must be at least 2 (in-batch negatives)") }
        if !(learningRate > 0) { found.append("lr must be positive") }
        if !(weightDecay >= 0) { found.append("weight-decay must not be negative") }
        if let g = maxGradientNorm, !(g > 0) { found.append("max-grad-norm must be positive (none: no clipping)") }
        if let c = checkpointEvery, c < 1 { found.append("checkpoint-every must be at least 1") }
        if let m = checkpointMinutes, !(m >= 0) { found.append("checkpoint-minutes must not be negative") }
        return found
    }

    /// How the trainer runs the steps, with `gradientCacheChunk` and `evaluateEvery` where the
    /// method has them.
    public func trainer(gradientCacheChunk: Int? = nil, evaluateEvery: Int? = nil) -> TrainerSettings {
        TrainerSettings(seed: seed, maxGradientNorm: maxGradientNorm, stopOnNonFinite: !skipNonFinite, precision: precision,
                        gradientCacheChunk: gradientCacheChunk, evaluateEvery: evaluateEvery, checkpointEvery: checkpointEvery,
                        checkpointMinutes: checkpointMinutes.flatMap { $0 > 0 ? $0 : nil })
    }
}
