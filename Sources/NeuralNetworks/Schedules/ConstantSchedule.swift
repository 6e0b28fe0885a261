import Tensors

/// A constant learning rate, optionally reached by a linear warm-up (Hugging Face's
/// `get_constant_schedule` and `get_constant_schedule_with_warmup`).
///
/// ```swift
/// ConstantSchedule(learningRate: 1e-3, warmupSteps: 10).learningRate(at: 5)  // 5e-4
/// ```
public struct ConstantSchedule: LearningRateSchedule {
    /// The rate after warm-up.
    public let learningRate: Float
    /// Updates spent rising linearly from 0 (none by default).
    public let warmupSteps: Int

    /// A constant schedule, optionally with warm-up.
    public init(learningRate: Float, warmupSteps: Int = 0) {
        ensure(warmupSteps >= 0, "ConstantSchedule: negative warm-up \(warmupSteps)")
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
    }

    public func learningRate(at step: Int) -> Float {
        learningRate * (warmupFraction(step: step, warmupSteps: warmupSteps) ?? 1)
    }
}
