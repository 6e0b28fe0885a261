import Tensors
import Foundation

/// Linear warm-up to `peakLearningRate` over `warmupSteps`, then half a cosine down to
/// `minimumLearningRate` at `totalSteps`: Hugging Face's `get_cosine_schedule_with_warmup` (with a
/// floor as in `get_cosine_with_min_lr_schedule_with_warmup`). Unlike Hugging Face, the rate stays
/// at the minimum after `totalSteps` instead of rising along the cosine again.
///
/// ```swift
/// let s = CosineSchedule(peakLearningRate: 1, warmupSteps: 0, totalSteps: 100)
/// s.learningRate(at: 50)   // 0.5
/// ```
public struct CosineSchedule: LearningRateSchedule {
    /// The rate at the end of warm-up.
    public let peakLearningRate: Float
    /// Updates spent rising linearly from 0.
    public let warmupSteps: Int
    /// The update at which the rate reaches `minimumLearningRate`.
    public let totalSteps: Int
    /// The floor the cosine decays to.
    public let minimumLearningRate: Float

    /// A schedule; needs `0 <= warmupSteps <= totalSteps`.
    public init(peakLearningRate: Float, warmupSteps: Int, totalSteps: Int, minimumLearningRate: Float = 0) {
        ensure(warmupSteps >= 0 && totalSteps >= warmupSteps, "CosineSchedule: need 0 <= warmupSteps (\(warmupSteps)) <= totalSteps (\(totalSteps))")
        self.peakLearningRate = peakLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumLearningRate = minimumLearningRate
    }

    public func learningRate(at step: Int) -> Float {
        if let fraction = warmupFraction(step: step, warmupSteps: warmupSteps) { return peakLearningRate * fraction }
        let progress = Swift.min(1, Double(step - warmupSteps) / Double(Swift.max(1, totalSteps - warmupSteps)))
        let factor = Float(0.5 * (1 + cos(Double.pi * progress)))
        return minimumLearningRate + (peakLearningRate - minimumLearningRate) * factor
    }
}
