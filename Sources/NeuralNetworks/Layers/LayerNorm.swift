import Tensors

/// Layer normalisation over the last axis with a learned scale and shift (parameters `weight`
/// and `bias`, both `[dimension]`, initialised to ones and zeros), or a scale alone (ModernBERT's
/// `LayerNorm(bias=False)`).
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
    /// `[dimension]`, initially zeros; `nil` for a layer without bias.
    public let bias: Tensor?
    /// Added to the variance before the square root.
    public let eps: Float

    /// A layer over vectors of width `dimension` (pass `eps: 1e-12` for BERT), with a bias unless
    /// `bias: false`.
    public init(dimension: Int, eps: Float = 1e-5, bias: Bool = true) {
        weight = Tensor.ones([dimension])
        self.bias = bias ? Tensor.zeros([dimension]) : nil
        self.eps = eps
        super.init()
        register(parameter: weight, as: "weight")
        if let b = self.bias { register(parameter: b, as: "bias") }
    }

    /// Normalises each vector along the last axis of `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, eps: eps)
    }
}
