import Tensors

/// A learning rate as a function of the optimizer step, following Hugging Face's schedulers:
/// `step` counts the updates already made, so the first update uses `learningRate(at: 0)`
/// (which is 0 during a warm-up, as in `get_linear_schedule_with_warmup`).
///
/// ```swift
/// let schedule = LinearSchedule(peakLearningRate: 3e-5, warmupSteps: 100, totalSteps: 1000)
/// optimizer.learningRate = schedule.learningRate(at: step)
/// ```
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for the update after `step` completed updates.
    func learningRate(at step: Int) -> Float
}

/// The linear warm-up every schedule here shares: `step / warmupSteps` of the peak before
/// `warmupSteps`, and `nil` once warm-up is over.
func warmupFraction(step: Int, warmupSteps: Int) -> Float? {
    ensure(step >= 0, "learning rate schedule: negative step \(step)")
    return step < warmupSteps ? Float(step) / Float(warmupSteps) : nil
}
