import Tensors

/// A momentum (EMA) copy of a module of any architecture: MoCo's key encoder and head.
///
/// At creation the target takes every parameter and buffer of the online module (BatchNorm
/// running statistics included); afterwards `update` moves its parameters by
/// `target = m target + (1 - m) online`. Buffers are not averaged: a target run in training mode
/// tracks its own batch statistics (as MoCo's key encoder does).
///
/// ```swift
/// let keys = MomentumModule(online: query, target: keyCopy, momentum: 0.99)
/// // each step, after the optimizer step:
/// keys.update(step: step)
/// ```
public final class MomentumModule {
    public let target: Module
    let updater: MomentumUpdater

    /// Pairs `online` and `target` (same architecture) by state name and copies online into target.
    public init(online: Module, target: Module, momentum: Float) {
        let onlineState = Dictionary(online.namedState().map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        let targetState = target.namedState()
        ensure(targetState.count == onlineState.count && targetState.allSatisfy { onlineState[$0.name] != nil },
               "MomentumModule: the target's \(targetState.count) tensors do not match the online module's \(onlineState.count) by name")
        MomentumUpdater(pairs: targetState.map { (onlineState[$0.name]!, $0.tensor) }, schedule: .constant(0)).copyOnlineIntoTargets()
        let parameters = Set(target.namedParameters().map(\.name))
        // Targets never receive gradients: they follow the online weights only through the average.
        target.namedParameters().forEach { $0.tensor.requiresGrad = false }
        updater = MomentumUpdater(pairs: targetState.filter { parameters.contains($0.name) }.map { (onlineState[$0.name]!, $0.tensor) },
                                  schedule: .constant(momentum))
        self.target = target
    }

    /// The momentum of the averages.
    public var momentum: Float { updater.schedule.momentum(atStep: 0) }

    /// Moves the target's parameters toward the online ones.
    public func update(step: Int) { updater.update(atStep: step) }
}
