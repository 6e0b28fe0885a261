import Tensors

/// Updates momentum (EMA) copies of parameters in place: `target = m * target + (1 - m) * online`
/// for each `(online, target)` pair, outside autograd. A module-level momentum encoder pairs its
/// parameters by name and hands them here.
///
/// ```swift
/// let updater = MomentumUpdater(pairs: zip(online, target).map { ($0, $1) }, schedule: .constant(0.999))
/// updater.copyOnlineIntoTargets()          // once, at the start (MoCo)
/// // each step, after the optimizer step:
/// updater.update(atStep: step)
/// ```
public struct MomentumUpdater {
    /// The parameter pairs; each target has its online tensor's shape.
    public let pairs: [(online: Tensor, target: Tensor)]
    /// The momentum as a function of the step.
    public var schedule: MomentumSchedule

    /// Creates the updater; stops if a pair's shapes differ.
    public init(pairs: [(online: Tensor, target: Tensor)], schedule: MomentumSchedule) {
        for (index, pair) in pairs.enumerated() {
            ensure(pair.online.shape == pair.target.shape,
                         "MomentumUpdater: pair \(index) has online shape \(pair.online.shape) and target shape \(pair.target.shape)")
        }
        self.pairs = pairs
        self.schedule = schedule
    }

    /// Sets every target to its online tensor (momentum 0).
    public func copyOnlineIntoTargets() { update(momentum: 0) }

    /// One update with the schedule's momentum at `step`.
    public func update(atStep step: Int) { update(momentum: schedule.momentum(atStep: step)) }

    /// One update with momentum `m` in `[0, 1]`.
    public func update(momentum m: Float) {
        ensure(m >= 0 && m <= 1, "MomentumUpdater: momentum \(m) is outside [0, 1]")
        for (online, target) in pairs {
            online.withUnsafeBufferPointer { source in
                target.withUnsafeMutableBufferPointer { destination in
                    for i in destination.indices { destination[i] = m * destination[i] + (1 - m) * source[i] }
                }
            }
        }
    }
}
