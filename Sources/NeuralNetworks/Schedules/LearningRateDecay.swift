/// How the learning rate falls after a linear warm-up: a name for each schedule here, as
/// training settings and Hugging Face's `lr_scheduler_type` spell it.
public enum LearningRateDecay: String, Codable, Sendable, CaseIterable {
    /// Hugging Face Trainer's default (SimCSE's): linear decay to 0.
    case linear
    case constant
    case cosine

    /// The schedule peaking at `peakLearningRate` after `warmupSteps` and decaying over `totalSteps`.
    public func schedule(peakLearningRate: Float, warmupSteps: Int, totalSteps: Int) -> any LearningRateSchedule {
        switch self {
        case .constant: return ConstantSchedule(learningRate: peakLearningRate, warmupSteps: warmupSteps)
        case .linear: return LinearSchedule(peakLearningRate: peakLearningRate, warmupSteps: warmupSteps, totalSteps: totalSteps)
        case .cosine: return CosineSchedule(peakLearningRate: peakLearningRate, warmupSteps: warmupSteps, totalSteps: totalSteps)
        }
    }
}
