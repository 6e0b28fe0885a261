import Foundation
import Tensors

/// Adam with decoupled weight decay (Loshchilov & Hutter), reproducing PyTorch's `torch.optim.AdamW`
/// (`foreach=False`, `amsgrad=False`) operation for operation:
///
/// ```
/// p ← p · (1 − lr·λ)
/// m ← m + (1 − β₁)(g − m)                 (lerp, as PyTorch)
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// with ε added after the bias-corrected square root, the scalar factors (decay, bias corrections)
/// computed in double precision as PyTorch does in Python, and a step count per parameter (a
/// parameter without a gradient does not advance). The moment update uses PyTorch's `lerp` form,
/// exact for β₁ ≥ 0.5 (PyTorch switches formula below that).
/// Each parameter is updated in one pass over its value, gradient and moment buffers.
///
/// ```swift
/// let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: 5e-5, weightDecay: 0.01)
/// // biases and LayerNorm weights are exempt from decay (see ParameterGroup.isExcludedFromWeightDecay)
/// ```
public final class AdamW: Optimizer {
    public var learningRate: Float
    public let groups: [ParameterGroup]
    /// Decay of the first moment (PyTorch `betas[0]`, default 0.9).
    public let beta1: Float
    /// Decay of the second moment (PyTorch `betas[1]`, default 0.999).
    public let beta2: Float
    /// Added to the bias-corrected root of the second moment (default 1e-8).
    public let eps: Float

    /// A parameter's moments and how many updates it has had.
    private final class State {
        var step: Int
        let expAvg: Tensor
        let expAvgSq: Tensor
        init(step: Int, expAvg: Tensor, expAvgSq: Tensor) {
            self.step = step
            self.expAvg = expAvg
            self.expAvgSq = expAvgSq
        }
    }
    private var state: [String: State] = [:]
    private static let slots = ["step", "exp_avg", "exp_avg_sq"]

    /// An optimizer over explicit groups.
    public init(groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        ensure(learningRate >= 0 && eps >= 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2),
                     "AdamW: invalid hyperparameters lr \(learningRate), betas (\(beta1), \(beta2)), eps \(eps)")
        checkUniqueNames(groups, optimizer: "AdamW")
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    /// An optimizer that decays every parameter with `weightDecay` except those `isExcluded`
    /// exempts (by default biases, norm weights and rank-0/1 tensors).
    public convenience init(parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3,
                            beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01,
                            isExcluded: (String, Tensor) -> Bool = ParameterGroup.isExcludedFromWeightDecay) {
        self.init(groups: ParameterGroup.splittingWeightDecay(parameters, weightDecay: weightDecay, isExcluded: isExcluded),
                  learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps)
    }

    public func step() {
        let (beta1, beta2, eps) = (beta1, beta2, eps)
        forEachUpdate { name, tensor, lr, weightDecay, p, g in
            let s = state[name] ?? {
                let fresh = State(step: 0, expAvg: Tensor.zeros(tensor.shape), expAvgSq: Tensor.zeros(tensor.shape))
                state[name] = fresh
                return fresh
            }()
            s.step += 1
            let t = Double(s.step)
            let decay = Float(1 - Double(lr) * Double(weightDecay))
            let stepSize = Float(Double(lr) / (1 - Foundation.pow(Double(beta1), t)))
            let correction2 = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
            s.expAvg.withUnsafeMutableBufferPointer { m in
                s.expAvgSq.withUnsafeMutableBufferPointer { v in
                    // One pass over the four buffers, split across the cores.
                    Kernels.adamWUpdate(p.baseAddress!, g.baseAddress!, expAvg: m.baseAddress!, expAvgSq: v.baseAddress!, count: p.count,
                                        beta1: beta1, beta2: beta2, eps: eps, decay: decay, stepSize: stepSize, correction2: correction2)
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        OptimizerSlots.encode(state.mapValues { ["step": Tensor(scalar: Float($0.step)), "exp_avg": $0.expAvg, "exp_avg_sq": $0.expAvgSq] })
    }

    public func load(stateDict: [String: Tensor]) throws {
        let decoded = try OptimizerSlots.decode(stateDict, groups: groups, slots: Self.slots, scalarSlots: ["step"])
        state = decoded.mapValues { State(step: Int($0["step"]!.item), expAvg: $0["exp_avg"]!, expAvgSq: $0["exp_avg_sq"]!) }
    }
}

/// Stops when two parameters of an optimizer share a name, since names key the saved state.
func checkUniqueNames(_ groups: [ParameterGroup], optimizer: String) {
    var seen = Set<String>()
    for (name, _) in groups.flatMap(\.parameters) {
        ensure(seen.insert(name).inserted, "\(optimizer): parameter name '\(name)' appears twice")
    }
}
