/// A pointwise activation of a feed-forward block, which `linear(weight:bias:inputActivation:)`
/// applies to its input and recomputes in the backward instead of keeping.
public enum Activation: String, Sendable, Codable {
    /// The exact (erf) GELU of BERT.
    case gelu
    case relu
    /// `x σ(1.702 x)`, the sigmoid approximation of GELU (OpenAI CLIP's `quick_gelu`).
    case quickGelu = "quick_gelu"

    /// `x` activated (recorded for differentiation).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: x.gelu()
        case .relu: x.relu()
        case .quickGelu: x.quickGelu()
        }
    }

    /// `y = f(x)`.
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .gelu: Kernels.geluForward(x, y, n)
        case .relu: Kernels.unaryForward(.relu, x, y, n)
        case .quickGelu: Kernels.quickGeluForward(x, y, n)
        }
    }

    /// `g *= f'(x)`: the gradient of the output becomes that of the input, in place.
    func backwardInPlace(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .gelu: Kernels.geluBackwardInPlace(x, g, n)
        case .relu: Parallel.forRange(n) { r in for i in r { g[i] = x[i] > 0 ? g[i] : 0 } }
        case .quickGelu: Kernels.quickGeluBackwardInPlace(x, g, n)
        }
    }
}

extension Tensor {
    /// `f(self) · weightᵀ + bias` over the last axis: a fully connected layer with Hugging Face's
    /// `[out, in]` weight, one GEMM with the bias added to its result in place.
    ///
    /// With an `inputActivation` f, the activated input exists only while the product is
    /// computed: the backward recomputes it from this tensor, which it keeps instead. A
    /// transformer's feed-forward block `W₂ f(W₁ x + b₁) + b₂` thus keeps one of its two wide
    /// intermediate results (PyTorch keeps both). Without one, f is the identity.
    ///
    /// With an `outputActivation` g, the result is `g(f(self) · weightᵀ + bias)`. Where no gradient
    /// is needed (inference), g is applied in place, in the pass that adds the bias (which, under
    /// oneDNN's bf16 kernels, also writes the result's kept bf16 copy for the product that reads
    /// it next); with gradients, it is recorded after the product.
    ///
    /// With a `residual` (the result's shape; no `outputActivation`), the result is
    /// `f(self) · weightᵀ + bias + residual`. Where no gradient is needed, the product accumulates
    /// into a copy of `residual + bias`, which saves the passes that would add each to it.
    ///
    /// Under bf16 products, this tensor keeps its bf16 copy (`keepsBFloat16Copy`) for as long as
    /// it lives.
    ///
    /// Shapes: `self` `[..., in]` (at least two axes), `weight` `[out, in]`, `bias` `[out]`.
    public func linear(weight: Tensor, bias: Tensor? = nil, inputActivation: Activation? = nil, outputActivation: Activation? = nil,
                       residual: Tensor? = nil) -> Tensor {
        ensure(rank >= 2 && weight.rank == 2 && shape[rank - 1] == weight.shape[1] && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
               "linear: input \(shape), weight \(weight.shape) and bias \(bias?.shape ?? []) do not fit ([..., in], [out, in], [out])")
        let precision = MatmulPrecision.current
        let input = inputActivation.map { activated($0) } ?? self
        // An input's bf16 copy serves every product that reads it: attention's query, key and
        // value projections of one input, and the weight's gradient in the backward. (Not the
        // activated input: the backward recomputes it and then overwrites it in place.)
        if precision == .bf16 && inputActivation == nil { keepsBFloat16Copy = true }
        let needsGradient = GradMode.records([self, weight] + (bias.map { [$0] } ?? []))
        if let residual {
            ensure(outputActivation == nil && residual.shape == Array(shape.dropLast()) + [weight.shape[0]],
                   "linear: residual \(residual.shape) is not the result's shape \(Array(shape.dropLast()) + [weight.shape[0]]), or comes with an output activation")
            guard !needsGradient && !GradMode.records([residual]) else {
                return linear(weight: weight, bias: bias, inputActivation: inputActivation) + residual
            }
            let out = Tensor(uninitialized: residual.shape)
            let n = weight.shape[0]
            Tensor.withData(residual, out, bias ?? out) { p in
                Kernels.addRow(p[0], bias == nil ? nil : UnsafePointer(p[2]), p[1], rows: out.count / n, n: n)
            }
            return Tensor.product(input, weight, transposeA: false, transposeB: true, precision: precision, into: out, accumulating: true)
        }
        let out = Tensor.product(input, weight, transposeA: false, transposeB: true, precision: precision)
        let fusedActivation = needsGradient ? nil : outputActivation
        if bias != nil || fusedActivation != nil {
            let n = weight.shape[0]
            Tensor.withData(out, bias ?? out) { p in
                let b = bias == nil ? nil : UnsafePointer(p[1])
                if let f = fusedActivation {
                    // Under oneDNN's bf16 kernels the activated result is the next product's input
                    // (a feed-forward block's): its bf16 copy is written in the same pass.
                    guard precision == .bf16 && BFloat16Products.mode.isNative else {
                        return Kernels.addRowAndActivateInPlace(p[0], b, rows: out.count / n, n: n, f)
                    }
                    out.storage.keepBFloat16Copy { bits in Kernels.addRowAndActivateInPlace(p[0], b, rows: out.count / n, n: n, f, bfloat16: bits) }
                } else if let b {
                    Kernels.addRowInPlace(p[0], b, rows: out.count / n, n: n)
                }
            }
        }
        let needX = requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false, hasBias = bias != nil
        let (xShape, wShape) = (shape, weight.shape)
        // The backward reads the input for the weight's gradient and the activation's derivative,
        // and the weight for the input's gradient.
        let keptX = needW || needX && inputActivation != nil ? self : nil, keptW = needX ? weight : nil
        let result = out.recorded("linear", bias.map { [self, weight, $0] } ?? [self, weight]) { g in
            // The bias's gradient first, while `g` is still in cache from the node that made it.
            let gb = needB ? g.summed(toShape: [g.shape[g.rank - 1]]) : nil
            // The recomputed activation serves the weight's gradient, then holds the input's.
            let activatedInput = needW ? inputActivation.flatMap { f in keptX.map { $0.activated(f) } } : nil
            let grads = Tensor.productGradients(g, needW ? activatedInput ?? keptX : nil, aShape: xShape, keptW, bShape: wShape,
                                                transposeA: false, transposeB: true, precision: precision, gradientOfA: activatedInput)
            if let f = inputActivation, let gx = grads[0], let x = keptX {
                Tensor.withData(x, gx) { p in f.backwardInPlace(p[0], p[1], gx.count) }
            }
            return hasBias ? grads + [gb] : grads
        }
        guard needsGradient, let outputActivation else { return result }
        return outputActivation(result)
    }

    /// `f(self)`, not recorded.
    private func activated(_ f: Activation) -> Tensor {
        let y = Tensor(uninitialized: shape)
        Tensor.withData(self, y) { p in f.forward(p[0], p[1], count) }
        return y
    }
}
