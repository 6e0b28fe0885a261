import Tensors

/// An affine map `y = x Wᵀ + b` with Hugging Face's weight layout `[out, in]`, so checkpoints
/// load without transposing.
///
/// Parameters: `weight` `[outputSize, inputSize]` and, unless `bias: false`, `bias` `[outputSize]`.
///
/// ```swift
/// var g = RandomGenerator(seed: 0)
/// let query = Linear(inputSize: 384, outputSize: 384, generator: &g)
/// let y = query(x)   // x: [..., 384] → y: [..., 384]
/// ```
public final class Linear: Module {
    /// `[outputSize, inputSize]`.
    public let weight: Tensor
    /// `[outputSize]`, or `nil` for a layer without bias.
    public let bias: Tensor?

    /// A layer initialised as BERT does: weight normal(0, `std`), bias zero.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true,
                std: Float = Initialization.bertStandardDeviation, generator: inout RandomGenerator) {
        weight = Initialization.normal([outputSize, inputSize], std: std, generator: &generator)
        self.bias = bias ? Tensor.zeros([outputSize]) : nil
        super.init()
        register(parameter: weight, as: "weight")
        if let b = self.bias { register(parameter: b, as: "bias") }
    }

    /// The width of the inputs.
    public var inputSize: Int { weight.shape[1] }
    /// The width of the outputs.
    public var outputSize: Int { weight.shape[0] }

    /// Maps the last axis of `x` (`inputSize`) to `outputSize`.
    ///
    /// With `inputActivation`, maps `inputActivation(x)` without keeping it for the backward,
    /// which recomputes it from `x`; with `outputActivation`, applies it to the result, in the
    /// product's kernel where no gradient is needed (see
    /// `Tensor.linear(weight:bias:inputActivation:outputActivation:residual:)`); with a `residual`,
    /// adds it to the result (in the product where no gradient is needed).
    public func callAsFunction(_ x: Tensor, inputActivation: Activation? = nil, outputActivation: Activation? = nil,
                               residual: Tensor? = nil) -> Tensor {
        ensure(x.rank >= 1 && x.shape[x.rank - 1] == inputSize,
                     "Linear: input of shape \(x.shape) does not end in \(inputSize) (weight \(weight.shape))")
        return x.linear(weight: weight, bias: bias, inputActivation: inputActivation, outputActivation: outputActivation, residual: residual)
    }

    /// `next(f(self(x)))`: the two products of a feed-forward block, `next` the second. With
    /// gradients, `next` receives `self(x)` and f, to apply to its input without keeping the
    /// activated values (the backward recomputes them); without, this product's kernel applies f
    /// as it writes its result and `next` receives `nil`.
    public func feedForward(_ x: Tensor, activation f: Activation, into next: (Tensor, Activation?) -> Tensor) -> Tensor {
        GradMode.records([x, weight] + (bias.map { [$0] } ?? [])) ? next(self(x), f) : next(self(x, outputActivation: f), nil)
    }
}
