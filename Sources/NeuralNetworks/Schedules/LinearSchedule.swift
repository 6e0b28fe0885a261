import Tensors

/// Linear warm-up from 0 to `peakLearningRate` over `warmupSteps`, then linear decay to 0 at
/// `totalSteps` (and 0 afterwards): Hugging Face's `get_linear_schedule_with_warmup`.
///
/// ```swift
/// let s = LinearSchedule(peakLearningRate: 1, warmupSteps: 10, totalSteps: 110)
/// s.learningRate(at: 5)    // 0.5
/// s.learningRate(at: 60)   // 0.5
/// ```
public struct LinearSchedule: LearningRateSchedule {
    /// The rate at the end of warm-up.
    public let peakLearningRate: Float
    /// Updates spent rising linearly from 0.
    public let warmupSteps: Int
    /// The update at which the rate reaches 0.
    public let totalSteps: Int

    /// A schedule; needs `0 <= warmupSteps <= totalSteps`.
    public init(peakLearningRate: Float, warmupSteps: Int, totalSteps: Int) {
        ensure(warmupSteps >= 0 && totalSteps >= warmupSteps, "LinearSchedule: need 0 <= warmupSteps (\(warmupSteps)) <= totalSteps (\(totalSteps))")
        self.peakLearningRate = peakLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    public func learningRate(at step: Int) -> Float {
        if let fraction = warmupFraction(step: step, warmupSteps: warmupSteps) { return peakLearningRate * fraction }
        return peakLearningRate * Swift.max(0, Float(totalSteps - step) / Float(Swift.max(1, totalSteps - warmupSteps)))
    }
}
