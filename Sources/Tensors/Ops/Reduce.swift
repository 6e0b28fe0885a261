/// Reductions along an axis or over all elements.
extension Tensor {
    private func reduced(_ kind: Kernels.Reduction, axis: Int, keepingDimension: Bool, name: String) -> (Tensor, [Int]?) {
        let a = Shape.axis(axis, rank: rank, op: name, shape: shape)
        let (outer, n, inner) = Shape.split(shape, axis: a)
        ensure(n > 0 || kind == .sum, "\(name): axis \(axis) of shape \(shape) is empty")
        var kept = shape
        kept[a] = 1
        let out = Tensor(uninitialized: keepingDimension ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element))
        var argmax: [Int]? = kind == .max ? [Int](repeating: 0, count: outer * inner) : nil
        Tensor.withData(self, out) { p in
            if argmax != nil {
                argmax!.withUnsafeMutableBufferPointer { am in Kernels.reduce(kind, p[0], p[1], argmax: am.baseAddress, outer: outer, n: n, inner: inner) }
            } else {
                Kernels.reduce(kind, p[0], p[1], outer: outer, n: n, inner: inner)
            }
        }
        return (out, argmax)
    }

    /// The sum along `axis`; the axis is removed unless `keepingDimension`.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let (out, _) = reduced(.sum, axis: axis, keepingDimension: keepingDimension, name: "sum")
        let a = Shape.axis(axis, rank: rank, op: "sum", shape: shape)
        let source = shape
        return out.recorded("sum", [self]) { g in
            var kept = source
            kept[a] = 1
            return [g.reshaped(kept).expanded(to: source)]
        }
    }

    /// The mean along `axis`.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "mean", shape: shape)
        return sum(axis: a, keepingDimension: keepingDimension) * (1 / Float(shape[a]))
    }

    /// The maximum along `axis`; the gradient flows to the first maximal element.
    public func max(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let (out, argmax) = reduced(.max, axis: axis, keepingDimension: keepingDimension, name: "max")
        let a = Shape.axis(axis, rank: rank, op: "max", shape: shape)
        let source = shape
        return out.recorded("max", [self]) { g in
            let (outer, n, inner) = Shape.split(source, axis: a)
            let dx = Tensor.zeros(source)
            Tensor.withData(g, dx) { p in
                for o in 0..<outer {
                    for i in 0..<inner { p[1][(o * n + argmax![o * inner + i]) * inner + i] = p[0][o * inner + i] }
                }
            }
            return [dx]
        }
    }

    /// `log Σ exp` along `axis`, computed stably.
    public func logSumExp(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let (out, _) = reduced(.logSumExp, axis: axis, keepingDimension: keepingDimension, name: "logsumexp")
        let a = Shape.axis(axis, rank: rank, op: "logsumexp", shape: shape)
        return out.recorded("logsumexp", [self]) { [saved = out.detached()] g in
            var kept = self.shape
            kept[a] = 1
            // d lse / dx = exp(x - lse) = softmax along the axis.
            let weights = (self - saved.reshaped(kept)).exp()
            return [g.reshaped(kept) * weights]
        }
    }

    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { reshaped([count]).sum(axis: 0) }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() * (1 / Float(count)) }
}
