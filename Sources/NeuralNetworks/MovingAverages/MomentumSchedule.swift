import Tensors
import Foundation

/// The momentum `m` of an exponential moving average `target = m * target + (1 - m) * online`,
/// as a function of the training step.
///
/// ```swift
/// MomentumSchedule.constant(0.999).momentum(atStep: 10)                    // MoCo: 0.999
/// MomentumSchedule.cosine(base: 0.996, totalSteps: 1000).momentum(atStep: 1000)   // BYOL: 1.0
/// ```
public enum MomentumSchedule: Sendable, Equatable {
    /// The same momentum at every step (MoCo 0.999, ESimCSE 0.995, ALBEF 0.995).
    case constant(Float)
    /// BYOL's increase from `base` to 1: `m_t = 1 - (1 - base) (cos(π t / T) + 1) / 2`, held at 1
    /// after `totalSteps`.
    case cosine(base: Float, totalSteps: Int)

    /// The momentum at `step` (0-based).
    public func momentum(atStep step: Int) -> Float {
        switch self {
        case .constant(let m):
            return m
        case .cosine(let base, let total):
            ensure(total > 0, "MomentumSchedule.cosine: total steps \(total) must be positive")
            let progress = Double(Swift.min(Swift.max(step, 0), total)) / Double(total)
            return Float(1 - (1 - Double(base)) * (Foundation.cos(Double.pi * progress) + 1) / 2)
        }
    }
}
