import Tensors

/// A node of a model tree: it owns named parameters and named child modules, and gives every
/// parameter a stable dotted name such as `encoder.layer.0.attention.self.query.weight`.
///
/// ## Why explicit registration rather than reflection
/// MLX Swift discovers parameters with `Mirror`, so a parameter's name is its Swift property name.
/// Hugging Face names cannot always be Swift names (`self` is a keyword, `LayerNorm` breaks Swift
/// naming conventions, `layer.0` is an array index), and a rename of a Swift property would silently
/// change a checkpoint key. Here a subclass registers each parameter and child under the name the
/// checkpoint uses, so the Swift property name is free, the order of `namedParameters()` is the
/// registration order (deterministic, unlike reflection over computed or lazy properties), and no
/// reflection cost is paid per call.
///
/// ```swift
/// final class SelfAttention: Module {
///     let query: Linear
///     init(width: Int, generator: inout RandomGenerator) {
///         query = Linear(inputSize: width, outputSize: width, generator: &generator)
///         super.init()
///         register(child: query, as: "query")
///     }
/// }
/// let attention = Module()
/// attention.register(child: SelfAttention(width: 4, generator: &g), as: "self")
/// attention.namedParameters().map(\.name)  // ["self.query.weight", "self.query.bias"]
/// ```
///
/// Besides parameters, a module may own *buffers*: state that is saved and loaded with the
/// parameters but never trained (BatchNorm's running mean and variance, as PyTorch's
/// `register_buffer`). Buffers never require gradients, so optimizers, which take
/// `trainableParameters()`, never see them; `stateDict()` and `load(stateDict:)` cover both.
///
/// Modules start in training mode. A module is used from one task at a time (it is not `Sendable`).
open class Module {
    /// Whether the module behaves as in training (dropout active, batch statistics); set through `train(_:)`.
    public private(set) var isTraining = true
    private var ownParameters: [(name: String, tensor: Tensor)] = []
    private var ownBuffers: [(name: String, tensor: Tensor)] = []
    private var ownChildren: [(name: String, module: Module)] = []

    /// An empty module in training mode; subclasses register their parameters and children.
    public init() {}

    // MARK: Registration

    /// Registers `tensor` as a parameter called `name` (one path component, no dots), marks it as
    /// requiring gradients and as keeping its bf16 and transposed copies between products
    /// (`keepsBFloat16Copy`, `keepsTransposedCopy`), and returns it.
    @discardableResult
    public func register(parameter tensor: Tensor, as name: String) -> Tensor {
        checkNewName(name)
        ownParameters.append((name, tensor.requiringGradient()))
        tensor.keepsBFloat16Copy = true
        tensor.keepsTransposedCopy = true
        return tensor
    }

    /// Registers `tensor` as a buffer called `name` (one path component): saved and loaded with the
    /// parameters, updated by the module itself, never by an optimizer. Returns it.
    ///
    /// ```swift
    /// runningMean = register(buffer: Tensor.zeros([channels]), as: "running_mean")
    /// ```
    @discardableResult
    public func register(buffer tensor: Tensor, as name: String) -> Tensor {
        checkNewName(name)
        ownBuffers.append((name, tensor.requiringGradient(false)))
        return tensor
    }

    /// Registers `child` under `name` (one path component), so its parameters are named
    /// `name.<child's names>`, and returns it.
    @discardableResult
    public func register<M: Module>(child: M, as name: String) -> M {
        checkNewName(name)
        ownChildren.append((name, child))
        return child
    }

    /// Registers `children` as a list called `name`; their parameters are named `name.0.…`,
    /// `name.1.…` as in a PyTorch `ModuleList`. Returns the children.
    ///
    /// ```swift
    /// encoder.register(children: layers, as: "layer")  // encoder.layer.0.…, encoder.layer.1.…
    /// ```
    @discardableResult
    public func register<M: Module>(children: [M], as name: String) -> [M] {
        let list = Module()
        for (index, child) in children.enumerated() { list.register(child: child, as: String(index)) }
        register(child: list, as: name)
        return children
    }

    private func checkNewName(_ name: String) {
        ensure(!name.isEmpty && !name.contains("."), "Module.register: name '\(name)' must be one non-empty path component")
        ensure(!ownParameters.contains { $0.name == name } && !ownBuffers.contains { $0.name == name } && !ownChildren.contains { $0.name == name },
                     "Module.register: name '\(name)' is already registered in \(type(of: self))")
    }

    // MARK: Traversal

    /// Every parameter of this module and its descendants with its dotted name, in registration
    /// order (own parameters first, then each child's).
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var result = ownParameters
        for (childName, child) in ownChildren {
            result += child.namedParameters().map { ("\(childName).\($0.name)", $0.tensor) }
        }
        return result
    }

    /// Every buffer of this module and its descendants with its dotted name, in registration order
    /// (own buffers first, then each child's), as `namedParameters()` orders parameters.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        var result = ownBuffers
        for (childName, child) in ownChildren {
            result += child.namedBuffers().map { ("\(childName).\($0.name)", $0.tensor) }
        }
        return result
    }

    /// This module (named `""`) and every descendant with its dotted name, parents before children.
    public func namedModules() -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = [("", self)]
        for (childName, child) in ownChildren {
            result += child.namedModules().map { ($0.name.isEmpty ? childName : "\(childName).\($0.name)", $0.module) }
        }
        return result
    }

    /// The direct children with their names, in registration order.
    public var children: [(name: String, module: Module)] { ownChildren }

    /// Every parameter, in the order of `namedParameters()`.
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// The parameters that receive gradients (not frozen).
    public func trainableParameters() -> [(name: String, tensor: Tensor)] {
        namedParameters().filter { $0.tensor.requiresGrad }
    }

    /// The number of scalars in all parameters.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// The number of scalars in parameters that are not frozen.
    public var trainableParameterCount: Int { trainableParameters().reduce(0) { $0 + $1.tensor.count } }

    // MARK: Modes

    /// Switches this module and all descendants to training (`true`) or evaluation (`false`) mode.
    public func train(_ training: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Switches this module and all descendants to evaluation mode (dropout off).
    public func eval() { train(false) }

    /// Freezes the parameters whose name lies under `prefix` (all when `prefix` is empty): they stop
    /// requiring gradients and their accumulated gradient is dropped.
    ///
    /// A prefix matches whole path components: `"encoder.layer.1"` covers `encoder.layer.1.…` but
    /// not `encoder.layer.10.…`.
    ///
    /// ```swift
    /// model.freeze(prefix: "embeddings")   // VLMo-style stage training
    /// ```
    public func freeze(prefix: String = "") { setTrainable(false, prefix: prefix) }

    /// Undoes `freeze(prefix:)` for the parameters under `prefix` (all when empty).
    public func unfreeze(prefix: String = "") { setTrainable(true, prefix: prefix) }

    private func setTrainable(_ trainable: Bool, prefix: String) {
        for (name, tensor) in namedParameters() where Module.name(name, isUnder: prefix) {
            tensor.requiresGrad = trainable
            if !trainable { tensor.zeroGrad() }
        }
    }

    /// Whether the dotted `name` equals `prefix` or lies below it (the empty prefix covers all).
    static func name(_ name: String, isUnder prefix: String) -> Bool {
        prefix.isEmpty || name == prefix || name.hasPrefix(prefix + ".")
    }

    /// Forgets the accumulated gradient of every parameter.
    public func zeroGrad() {
        for tensor in parameters() { tensor.zeroGrad() }
    }
}
