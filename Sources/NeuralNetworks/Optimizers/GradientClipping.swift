import Tensors

/// Scales the gradients of `parameters` so that their global L2 norm (over all of them together)
/// is at most `maxNorm`, as PyTorch's `clip_grad_norm_`, and returns the norm before clipping.
/// Parameters without a gradient are ignored. The scale is `maxNorm / (norm + 1e-6)`, applied only
/// when below 1.
///
/// Each clipped gradient is replaced by a scaled copy rather than scaled in place, because
/// autograd may hand the same gradient buffer to several parameters (for example both operands of
/// `a + b`); scaling in place would shrink that buffer once per parameter.
///
/// ```swift
/// let norm = clipGradientNorm(model.parameters(), maxNorm: 1.0)
/// ```
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    ensure(maxNorm > 0, "clipGradientNorm: maxNorm \(maxNorm) must be positive")
    let norm = gradientNorm(parameters)
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        withoutGradient {
            for parameter in parameters { parameter.grad = parameter.grad.map { $0 * scale } }
        }
    }
    return norm
}

/// The global L2 norm of the gradients of `parameters` (those without one are ignored).
public func gradientNorm(_ parameters: [Tensor]) -> Float {
    // Double accumulation: millions of squares summed in Float lose digits.
    var sumOfSquares = 0.0
    for grad in parameters.compactMap(\.grad) {
        grad.withUnsafeBufferPointer { g in for x in g { sumOfSquares += Double(x) * Double(x) } }
    }
    return Float(sumOfSquares.squareRoot())
}
