/// Elementwise selection by a condition.
extension Tensor {
    /// `condition != 0 ? a : b` elementwise, broadcasting all three. The condition carries no
    /// gradient; `a` and `b` receive the gradient where they were chosen.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Shape.broadcastOrStop(Shape.broadcastOrStop(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let c = withoutGradient { condition.expanded(to: shape) }
        let x = a.expanded(to: shape), y = b.expanded(to: shape)
        let out = Tensor(uninitialized: shape)
        Tensor.withData(c, x, y, out) { p in
            let n = out.count
            Parallel.forRange(n) { r in for i in r { p[3][i] = p[0][i] != 0 ? p[1][i] : p[2][i] } }
        }
        return out.recorded("where", [x, y]) { g in
            let ga = Tensor(uninitialized: shape), gb = Tensor(uninitialized: shape)
            Tensor.withData(c, g, ga, gb) { p in
                Parallel.forRange(g.count) { r in
                    for i in r {
                        let chosen = p[0][i] != 0
                        p[2][i] = chosen ? p[1][i] : 0
                        p[3][i] = chosen ? 0 : p[1][i]
                    }
                }
            }
            return [ga, gb]
        }
    }

    /// This tensor with `value` wherever `mask` (broadcastable to it) is non-zero.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        ensure(Shape.broadcast(mask.shape, shape) == shape, "maskedFill: mask of shape \(mask.shape) does not broadcast to \(shape)")
        return Tensor.where(mask, Tensor(scalar: value), self)
    }
}
