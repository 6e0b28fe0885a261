/// Where one input of a recorded operation sends its gradient.
enum GradEdge {
    /// The input was itself computed by a recorded operation.
    case node(GradNode)
    /// The input is a leaf that accumulates its gradient (a parameter).
    case leaf(Tensor)
    /// The input needs no gradient.
    case none
}

/// The record of one operation: where its inputs' gradients go and how to compute them from the
/// gradient of its output (`nil` where an input needs none).
///
/// A node refers to the nodes of its inputs, not to the input tensors: an intermediate result
/// that no backward needs (its values are not captured by any closure) is freed as soon as the
/// forward pass drops it, as PyTorch frees what it does not save. Closures capture only what
/// their backward reads, and a result's own values through a `detached()` view, so that a graph
/// that is never back-propagated holds no reference cycle.
final class GradNode {
    let op: String
    let inputs: [GradEdge]
    let outputShape: [Int]
    /// Released after use: the tensors it captured are freed as back-propagation proceeds.
    private(set) var backward: ((Tensor) -> [Tensor?])?

    init(op: String, inputs: [GradEdge], outputShape: [Int], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.outputShape = outputShape
        self.backward = backward
    }

    /// The input gradients for `gradient`; the node cannot be run again.
    func run(_ gradient: Tensor) -> [Tensor?] {
        guard let backward else {
            fatalError("backward of \(op): this part of the graph was already back-propagated")
        }
        self.backward = nil
        return backward(gradient)
    }
}

extension Tensor {
    /// Attaches the backward of operation `op` to this freshly computed result when gradient
    /// recording is on and some input requires a gradient; returns `self` either way.
    ///
    /// `backward` receives the gradient of this result and returns one gradient per input, in the
    /// order of `inputs`, each of that input's shape (or `nil` to skip it). It must not capture
    /// this result itself (use `detached()`), which would make a cycle.
    ///
    /// Public so that operations defined outside this module (collective communication across
    /// processes) join the graph like the built-in ones.
    public func recorded(_ op: String, _ inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.records(inputs) else { return self }
        requiresGrad = true
        let edges: [GradEdge] = inputs.map { input in
            if let node = input.gradNode { return .node(node) }
            return input.requiresGrad ? .leaf(input) : .none
        }
        gradNode = GradNode(op: op, inputs: edges, outputShape: shape, backward: backward)
        return self
    }

    /// Back-propagates from this tensor, accumulating into the `grad` of every leaf that requires
    /// gradients. Without `gradient`, this tensor must hold one element and its gradient is 1.
    ///
    /// The graph is released as it is consumed (PyTorch's default without `retain_graph`), so each
    /// recorded result can be back-propagated once.
    public func backward(_ gradient: Tensor? = nil) {
        ensure(requiresGrad, "backward: tensor of shape \(shape) does not require gradients")
        let seed = gradient ?? {
            ensure(count == 1, "backward: needs an explicit gradient for a tensor of shape \(shape)")
            return Tensor.full(shape, 1)
        }()
        ensure(seed.shape == shape, "backward: gradient of shape \(seed.shape) for tensor of shape \(shape)")
        // Storages already handed to a leaf as its gradient in this pass: a second leaf receiving
        // one of them (`a + b` gives both the same gradient) gets a copy, so that in-place changes
        // to one leaf's `grad` (clipping, averaging across ranks) never reach another's.
        var handedOut = Set<ObjectIdentifier>()
        guard let root = gradNode else {
            accumulateGrad(gradient == nil ? seed : seed.copy(), handedOut: &handedOut)
            return
        }
        gradNode = nil
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        withoutGradient {
            for node in GradNode.topologicalOrder(from: root).reversed() {
                guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                let grads = node.run(g)
                ensure(grads.count == node.inputs.count, "backward of \(node.op): \(grads.count) gradients for \(node.inputs.count) inputs")
                for (edge, grad) in zip(node.inputs, grads) {
                    guard let grad else { continue }
                    switch edge {
                    case .none:
                        continue
                    case .leaf(let leaf):
                        ensure(grad.shape == leaf.shape, "backward of \(node.op): gradient shape \(grad.shape) for input of shape \(leaf.shape)")
                        leaf.accumulateGrad(grad, handedOut: &handedOut)
                    case .node(let input):
                        ensure(grad.shape == input.outputShape, "backward of \(node.op): gradient shape \(grad.shape) for input of shape \(input.outputShape)")
                        let key = ObjectIdentifier(input)
                        pending[key] = pending[key].map { $0 + grad } ?? grad
                    }
                }
            }
        }
    }

    /// Adds `g` to this leaf's gradient, in place when the buffer is this tensor's own.
    private func accumulateGrad(_ g: Tensor, handedOut: inout Set<ObjectIdentifier>) {
        guard let existing = grad else {
            if handedOut.insert(ObjectIdentifier(g.storage)).inserted {
                grad = g
                gradIsOwned = false
            } else {
                grad = g.copy()
                gradIsOwned = true
            }
            return
        }
        if gradIsOwned {
            Tensor.withData(existing, g) { p in Kernels.addInPlace(p[0], p[1], count) }
        } else {
            grad = existing + g
            gradIsOwned = true
        }
    }
}

extension GradNode {
    /// Nodes reachable from `root`, each after all of its inputs' nodes.
    static func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: graphs of deep models would overflow a recursive one.
        var stack: [(GradNode, Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for case .node(let input) in node.inputs where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
