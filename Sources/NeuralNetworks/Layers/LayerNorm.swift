import Tensors

/// Layer normalisation over the last axis with a learned scale and shift (parameters `weight`
/// and `bias`, both `[dimension]`, initialised to ones and zeros).
///
/// Hugging Face BERT uses `eps = 1e-12` (`layer_norm_eps`); PyTorch's default is `1e-5`.
///
/// ```swift
/// let norm = LayerNorm(dimension: 384, eps: 1e-12)
/// let y = norm(x)   // same shape as x
/// ```
public final class LayerNorm: Module {
    /// `[dimension]`, initially ones.
    public let weight: Tensor
    /// `[dimension]`, initially zeros.
    public let bias: Tensor
    /// Added to the variance before the square root.
    public let eps: Float

    /// A layer over vectors of width `dimension` (pass `eps: 1e-12` for BERT).
    public init(dimension: Int, eps: Float = 1e-5) {
        weight = Tensor.ones([dimension])
        bias = Tensor.zeros([dimension])
        self.eps = eps
        super.init()
        register(parameter: weight, as: "weight")
        register(parameter: bias, as: "bias")
    }

    /// Normalises each vector along the last axis of `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, eps: eps)
    }
}
