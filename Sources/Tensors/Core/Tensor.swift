/// A dense, contiguous, row-major array of `Float` that records the operations applied to it
/// for reverse-mode automatic differentiation.
///
/// `Tensor` has reference semantics, like PyTorch's: a parameter is one object whose `grad`
/// accumulates across `backward()` calls. Operations never mutate their inputs; the only in-place
/// mutations are the explicit `withUnsafeMutableBufferPointer` and `assign(_:)` used by optimizers.
///
/// ```swift
/// let w = Tensor.randn([3, 2], seed: 0).requiringGradient()
/// let x = Tensor([1, 2, 3], shape: [1, 3])
/// let loss = x.matmul(w).relu().sum()
/// loss.backward()
/// print(w.grad!.shape)  // [3, 2]
/// ```
///
/// Failures: shape mismatches, bad axes and out-of-range indices are programming errors and stop
/// the process through `precondition` with a message naming the operation and the shapes
/// (as in PyTorch, where they raise). Errors that come from data (files, user input) are thrown
/// by the layers above.
public final class Tensor {
    /// The extent of each axis; `[]` is a scalar.
    public let shape: [Int]
    /// The number of elements (the product of `shape`).
    public let count: Int
    let storage: TensorStorage

    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs under test);
    /// results of operations on such tensors require gradients automatically.
    public var requiresGrad: Bool = false
    /// The accumulated gradient of a leaf after `backward()`; `nil` until then.
    public var grad: Tensor?
    /// Whether `grad` is a buffer this tensor owns and may accumulate into in place.
    var gradIsOwned = false
    /// The operation that produced this tensor, when it was recorded for differentiation.
    var gradNode: GradNode?

    init(shape: [Int], storage: TensorStorage) {
        let count = Shape.count(shape, op: "Tensor")
        ensure(storage.count == count, "Tensor: storage of \(storage.count) elements does not fit shape \(shape)")
        self.shape = shape
        self.count = count
        self.storage = storage
    }

    /// An uninitialised tensor for kernels to fill.
    convenience init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: Shape.count(shape, op: "Tensor"), zeroed: false))
    }

    /// A tensor holding `scalars` in row-major order.
    public convenience init(_ scalars: [Float], shape: [Int]) {
        let count = Shape.count(shape, op: "Tensor(_:shape:)")
        ensure(scalars.count == count, "Tensor(_:shape:): \(scalars.count) values do not fill shape \(shape)")
        self.init(uninitialized: shape)
        scalars.withUnsafeBufferPointer { source in
            if count > 0 { storage.base.update(from: source.baseAddress!, count: count) }
        }
    }

    /// A one-dimensional tensor holding `scalars`.
    public convenience init(_ scalars: [Float]) { self.init(scalars, shape: [scalars.count]) }

    /// A scalar (zero-dimensional) tensor.
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    /// A tensor of the given shape filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.storage.base.update(repeating: value, count: t.count)
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: Shape.count(shape, op: "zeros"), zeroed: true))
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// `[start, start + step, ...]` up to but excluding `end`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        ensure(step != 0, "arange: step must not be zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        let t = Tensor(uninitialized: [n])
        for i in 0..<n { t.storage.base[i] = start + Float(i) * step }
        return t
    }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.base, count: count)) }

    /// The value of a one-element tensor.
    public var item: Float {
        ensure(count == 1, "item: tensor of shape \(shape) has \(count) elements, not 1")
        return storage.base[0]
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// Reads the elements without copying.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(UnsafeBufferPointer(start: storage.base, count: count)) }
    }

    /// Writes the elements in place. Not recorded by autograd: meant for optimizers and loaders.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        storage.valuesWillChange()
        return try withExtendedLifetime(self) { try body(UnsafeMutableBufferPointer(start: storage.base, count: count)) }
    }

    /// Copies `other`'s values into this tensor in place (same element count). Not recorded by autograd.
    public func assign(_ other: Tensor) {
        ensure(other.count == count, "assign: shape \(other.shape) does not match \(shape)")
        storage.valuesWillChange()
        withExtendedLifetime((self, other)) { storage.base.update(from: other.storage.base, count: count) }
    }

    /// A new tensor with the same values that owns its own storage and has no gradient history.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.assign(self)
        return t
    }

    /// The same values, cut from the graph: gradients do not flow through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Whether bf16 products keep a bfloat16 copy of these values (shared with every tensor on
    /// the same storage, such as `detached()`) until the next `withUnsafeMutableBufferPointer` or
    /// `assign(_:)`: modules set it on their parameters, which then are rounded once per
    /// optimizer step instead of once per product. It costs half the tensor's memory again, and
    /// applies where oneDNN's bf16 kernels run the products (``BFloat16Products/mode``).
    public var keepsBFloat16Copy: Bool {
        get { storage.keepsBFloat16Copy }
        set {
            storage.keepsBFloat16Copy = newValue
            if !newValue { storage.valuesWillChange() }
        }
    }

    /// Whether fp32 products that multiply by this matrix transposed (`x · Wᵀ`, a linear layer's
    /// weight) keep a transposed copy of it (shared like ``keepsBFloat16Copy``, and dropped by the
    /// same writes) and multiply by that instead, where `dnnl_sgemm` is measured faster so
    /// (``GEMM/prefersUntransposedWeight(transposeA:transposeB:m:n:k:lda:ldb:)``: square-ish weights up to
    /// 640 wide, such as MiniLM's attention projections). Modules set it on their parameters; it
    /// costs those weights' memory again.
    public var keepsTransposedCopy: Bool {
        get { storage.keepsTransposedCopy }
        set {
            storage.keepsTransposedCopy = newValue
            if !newValue { storage.valuesWillChange() }
        }
    }

    /// Marks this tensor as a leaf that accumulates gradients, and returns it.
    @discardableResult
    public func requiringGradient(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// Forgets the accumulated gradient.
    public func zeroGrad() {
        grad = nil
        gradIsOwned = false
    }

    /// Runs `body` with the base addresses of `tensors`, keeping them alive for the duration.
    @inline(__always)
    static func withData<R>(_ tensors: Tensor..., body: ([UnsafeMutablePointer<Float>]) -> R) -> R {
        withExtendedLifetime(tensors) { body(tensors.map { $0.storage.base }) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(16).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 16 ? ", ..." : "")])"
    }
}
