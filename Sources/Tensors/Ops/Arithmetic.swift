/// Broadcasting arithmetic (NumPy rules) and its gradients, which are summed back to each
/// input's shape.
extension Tensor {
    static func arithmetic(_ op: Kernels.Arithmetic, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        let shape = Shape.broadcastOrStop(a.shape, b.shape, op: name)
        let out = Tensor(uninitialized: shape)
        // Same shapes, scalars, and one operand repeating over the other's leading axes (a bias)
        // run directly; any other broadcast materialises the operands first.
        let direct = a.count == b.count && a.shape == b.shape
            || (shape == a.shape && (b.count == 1 || Tensor.isTrailing(b.shape, of: a.shape)))
            || (shape == b.shape && (a.count == 1 || Tensor.isTrailing(a.shape, of: b.shape)))
        let (x, y) = direct ? (a, b) : (a.expanded(to: shape), b.expanded(to: shape))
        Tensor.withData(x, y, out) { p in
            Kernels.arithmetic(op, p[0], aCount: x.count, p[1], bCount: y.count, p[2])
        }
        // The backward keeps only what it reads: a sum or difference keeps neither operand (a
        // Linear's pre-bias product or a residual branch is freed after the forward), a product
        // keeps each operand for the other's gradient.
        let (aShape, bShape, aNeeds, bNeeds) = (a.shape, b.shape, a.requiresGrad, b.requiresGrad)
        switch op {
        case .add, .sub:
            return out.recorded(name, [a, b]) { g in
                [aNeeds ? g.summed(toShape: aShape) : nil, bNeeds ? (op == .sub ? -g : g).summed(toShape: bShape) : nil]
            }
        case .mul, .div:
            let keptA = bNeeds ? a : nil, keptB = aNeeds || op == .div ? b : nil
            return out.recorded(name, [a, b]) { g in
                guard op == .div else {
                    return [keptB.map { (g * $0).summed(toShape: aShape) }, keptA.map { (g * $0).summed(toShape: bShape) }]
                }
                return [aNeeds ? (g / keptB!).summed(toShape: aShape) : nil,
                        keptA.map { (-(g * $0) / (keptB! * keptB!)).summed(toShape: bShape) }]
            }
        }
    }

    /// Whether `small` (without leading 1s) equals the trailing axes of `large`.
    static func isTrailing(_ small: [Int], of large: [Int]) -> Bool {
        let s = Array(small.drop(while: { $0 == 1 }))
        return s.count <= large.count && Array(large.suffix(s.count)) == s
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { arithmetic(.add, a, b, name: "add") }
    public static func - (a: Tensor, b: Tensor) -> Tensor { arithmetic(.sub, a, b, name: "sub") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { arithmetic(.mul, a, b, name: "mul") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { arithmetic(.div, a, b, name: "div") }

    /// `scale * self + shift` with scalar constants, in one pass.
    public func affine(scale: Float, shift: Float = 0) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Tensor.withData(self, out) { p in Kernels.affine(p[0], p[1], count, scale: scale, shift: shift) }
        return out.recorded("affine", [self]) { g in [g.affine(scale: scale)] }
    }

    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s) }
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) / a }

    /// This tensor repeated along broadcast axes to `shape` (a copy).
    public func expanded(to target: [Int]) -> Tensor {
        ensure(Shape.broadcast(shape, target) == target, "expand: shape \(shape) cannot be broadcast to \(target)")
        if shape == target { return self }
        let strides = Shape.strides(shape)
        let offset = target.count - shape.count
        let sourceStrides = (0..<target.count).map { i -> Int in
            i < offset || shape[i - offset] == 1 ? 0 : strides[i - offset]
        }
        let out = Tensor(uninitialized: target)
        Tensor.withData(self, out) { p in Kernels.stridedCopy(p[0], p[1], shape: target, sourceStrides: sourceStrides) }
        let source = shape
        return out.recorded("expand", [self]) { g in [g.summed(toShape: source)] }
    }

    /// The sum of this tensor over the axes that broadcasting added to reach it from `target`.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        ensure(Shape.broadcast(target, shape) == shape, "sum to shape: \(target) does not broadcast to \(shape)")
        let inner = Shape.count(target, op: "sum to shape")
        if Tensor.isTrailing(target, of: shape) {
            // A bias-like target: one reduction over the leading rows.
            return reshaped([count / Swift.max(inner, 1), inner]).sum(axis: 0).reshaped(target)
        }
        let padded = [Int](repeating: 1, count: shape.count - target.count) + target
        var t = self
        for axis in 0..<shape.count where padded[axis] == 1 && shape[axis] != 1 {
            t = t.sum(axis: axis, keepingDimension: true)
        }
        return t.reshaped(target)
    }
}
