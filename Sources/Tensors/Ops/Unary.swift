/// Pointwise functions, GELU (exact and quick) and dropout.
extension Tensor {
    func unary(_ f: Kernels.Unary, name: String) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Tensor.withData(self, out) { p in Kernels.unaryForward(f, p[0], p[1], count) }
        return out.recorded(name, [self]) { [saved = out.detached()] g in
            let dx = Tensor(uninitialized: self.shape)
            Tensor.withData(self, saved, g, dx) { p in Kernels.unaryBackward(f, p[0], p[1], p[2], p[3], self.count) }
            return [dx]
        }
    }

    /// `e^x`.
    public func exp() -> Tensor { unary(.exp, name: "exp") }
    /// Natural logarithm.
    public func log() -> Tensor { unary(.log, name: "log") }
    /// Square root.
    public func sqrt() -> Tensor { unary(.sqrt, name: "sqrt") }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(.tanh, name: "tanh") }
    /// Logistic sigmoid `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor { unary(.sigmoid, name: "sigmoid") }
    /// `max(x, 0)`.
    public func relu() -> Tensor { unary(.relu, name: "relu") }
    /// `|x|` (gradient 0 at 0).
    public func abs() -> Tensor { unary(.abs, name: "abs") }
    /// `x^exponent`.
    public func pow(_ exponent: Float) -> Tensor { unary(.pow(exponent), name: "pow") }
    /// `min(max(x, lower), upper)`; the gradient passes where `lower <= x <= upper`.
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        ensure(lower <= upper, "clamp: lower bound \(lower) exceeds upper bound \(upper)")
        return unary(.clamp(lower, upper), name: "clamp")
    }

    /// The exact GELU `x Φ(x)` (erf form, as BERT uses).
    public func gelu() -> Tensor {
        let out = Tensor(uninitialized: shape)
        Tensor.withData(self, out) { p in Kernels.geluForward(p[0], p[1], count) }
        return out.recorded("gelu", [self]) { g in
            let dx = Tensor(uninitialized: self.shape)
            Tensor.withData(self, g, dx) { p in Kernels.geluBackward(p[0], p[1], p[2], self.count) }
            return [dx]
        }
    }

    /// `x σ(1.702 x)`: the sigmoid approximation of GELU that OpenAI's CLIP uses (`quick_gelu`).
    public func quickGelu() -> Tensor {
        let out = Tensor(uninitialized: shape)
        Tensor.withData(self, out) { p in Kernels.quickGeluForward(p[0], p[1], count) }
        return out.recorded("quickGelu", [self]) { g in
            let dx = Tensor(uninitialized: self.shape)
            Tensor.withData(self, g, dx) { p in Kernels.quickGeluBackward(p[0], p[1], p[2], self.count) }
            return [dx]
        }
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by
    /// `1 / (1 - p)`. The mask is a pure function of `(seed, stream)`, so the same call replays it.
    ///
    /// - Parameter first: the index of this tensor's first element in the stream, for a part of a
    ///   larger tensor: rows `r..<r + k` of a batch of rows of `w` elements take `first: r * w` and
    ///   get exactly the mask those rows have when the whole batch is dropped out at once.
    public func dropout(p: Float, seed: UInt64, stream: UInt64, first: Int = 0) -> Tensor {
        ensure(p >= 0 && p < 1, "dropout: probability \(p) is outside [0, 1)")
        if p == 0 { return self }
        return droppedOut(p: p, seed: seed, stream: stream, first: first).recorded("dropout", [self]) { g in
            let dx = Tensor(uninitialized: g.shape)
            Tensor.withData(g, dx) { ptr in Kernels.dropoutBackward(ptr[0], ptr[1], g.count, p: p, seed: seed, stream: stream, first: first) }
            return [dx]
        }
    }

    /// This tensor with dropout applied, not recorded.
    func droppedOut(p: Float, seed: UInt64, stream: UInt64, first: Int) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Tensor.withData(self, out) { ptr in Kernels.dropoutForward(ptr[0], ptr[1], count, p: p, seed: seed, stream: stream, first: first) }
        return out
    }

    /// Dropout with a fresh stream drawn from `generator`.
    public func dropout(p: Float, generator: inout RandomGenerator) -> Tensor {
        p == 0 ? self : dropout(p: p, seed: generator.seed, stream: generator.nextStream())
    }
}
