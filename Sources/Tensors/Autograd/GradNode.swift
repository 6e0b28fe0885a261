/// The record of one operation: its differentiable inputs and how to map the gradient of its
/// output to gradients of those inputs (`nil` where an input needs none).
final class GradNode {
    let op: String
    let inputs: [Tensor]
    let backward: (Tensor) -> [Tensor?]

    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Attaches the backward of operation `op` to this freshly computed result when gradient
    /// recording is on and some input requires a gradient; returns `self` either way.
    ///
    /// `backward` receives the gradient of this result and returns one gradient per input, in the
    /// order of `inputs`, each of that input's shape (or `nil` to skip it).
    func recorded(_ op: String, _ inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradNode = GradNode(op: op, inputs: inputs, backward: backward)
        return self
    }

    /// Back-propagates from this tensor, accumulating into the `grad` of every leaf that requires
    /// gradients. Without `gradient`, this tensor must hold one element and its gradient is 1.
    ///
    /// The graph is released as it is consumed (PyTorch's default without `retain_graph`), so each
    /// recorded result can be back-propagated once.
    public func backward(_ gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward: tensor of shape \(shape) does not require gradients")
        let seed = gradient ?? {
            precondition(count == 1, "backward: needs an explicit gradient for a tensor of shape \(shape)")
            return Tensor.full(shape, 1)
        }()
        precondition(seed.shape == shape, "backward: gradient of shape \(seed.shape) for tensor of shape \(shape)")
        // Storages already handed to a leaf as its gradient in this pass: a second leaf receiving
        // one of them (`a + b` gives both the same gradient) gets a copy, so that in-place changes
        // to one leaf's `grad` (clipping, averaging across ranks) never reach another's.
        var handedOut = Set<ObjectIdentifier>()
        if gradNode == nil {
            accumulateGrad(gradient == nil ? seed : seed.copy(), handedOut: &handedOut)
            return
        }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        withoutGradient {
            for tensor in order.reversed() {
                guard let node = tensor.gradNode, let g = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                tensor.gradNode = nil
                let grads = node.backward(g)
                precondition(grads.count == node.inputs.count, "backward of \(node.op): \(grads.count) gradients for \(node.inputs.count) inputs")
                for (input, grad) in zip(node.inputs, grads) {
                    guard input.requiresGrad, let grad else { continue }
                    precondition(grad.shape == input.shape, "backward of \(node.op): gradient shape \(grad.shape) for input of shape \(input.shape)")
                    if input.gradNode == nil {
                        input.accumulateGrad(grad, handedOut: &handedOut)
                    } else if let existing = pending[ObjectIdentifier(input)] {
                        pending[ObjectIdentifier(input)] = existing + grad
                    } else {
                        pending[ObjectIdentifier(input)] = grad
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

    /// Tensors reachable through recorded nodes, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: graphs of deep models would overflow a recursive one.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded {
                order.append(tensor)
                continue
            }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradNode?.inputs ?? [] where input.gradNode != nil && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
