import Foundation
import Tensors

/// How similarities become logits: divided by a fixed temperature, divided by a learnable one,
/// or multiplied by a learnable logit scale kept as its logarithm.
///
/// Clamps use `Tensor.clamped`, whose gradient passes on the bounds themselves (as `torch.clamp`),
/// so a scale initialised exactly at its bound still learns.
///
/// ```swift
/// let simcse = Temperature.fixed(0.05)
/// let albef = Temperature.learnable(Tensor(scalar: 0.07).requiringGradient(), range: 0.001...0.5)
/// let clip = Temperature.learnableLogScale(Tensor(scalar: log(1 / 0.07)).requiringGradient())   // scale ≤ 100
/// ```
public enum Temperature {
    /// `logits = similarities / tau` (SimCSE 0.05, MoCo 0.07 or 0.2, SupCon 0.1).
    case fixed(Float)
    /// `logits = similarities / clamp(tau, range)` with a scalar tensor `tau` (ALBEF: `0.001...0.5`).
    case learnable(Tensor, range: ClosedRange<Float>)
    /// `logits = similarities * exp(clamp(logScale, log range))` with a scalar tensor `logScale`
    /// (CLIP/ALIGN: the scale is clamped to at most 100). `nil` range: unclamped.
    case learnableLogScale(Tensor, scaleRange: ClosedRange<Float>? = 0...100)

    /// `similarities` turned into logits.
    public func apply(to similarities: Tensor) -> Tensor {
        switch self {
        case .fixed(let tau):
            ensure(tau > 0, "Temperature.fixed: temperature \(tau) must be positive")
            return similarities / tau
        case .learnable(let tau, let range):
            ensure(tau.count == 1, "Temperature.learnable: temperature must be a scalar, got shape \(tau.shape)")
            return similarities / tau.clamped(min: range.lowerBound, max: range.upperBound).reshaped([])
        case .learnableLogScale(let logScale, let range):
            ensure(logScale.count == 1, "Temperature.learnableLogScale: log scale must be a scalar, got shape \(logScale.shape)")
            let bounded = range.map { logScale.clamped(min: Foundation.log($0.lowerBound), max: Foundation.log($0.upperBound)) } ?? logScale
            return similarities * bounded.exp().reshaped([])
        }
    }

    /// Clamps the parameter `logScale` itself, in place, to `log(scaleRange)`, as OpenCLIP does
    /// after each optimizer step. The forward clamp alone passes no gradient once Adam has pushed
    /// the parameter past the bound, so a scale that reached 100 could never come back down.
    public static func clampInPlace(logScale: Tensor, scaleRange: ClosedRange<Float> = 0...100) {
        let (low, high) = (Foundation.log(scaleRange.lowerBound), Foundation.log(scaleRange.upperBound))
        logScale.withUnsafeMutableBufferPointer { value in
            for i in value.indices { value[i] = min(max(value[i], low), high) }
        }
    }
}
