import Tensors

/// Helpers shared by the objective tests.
enum TestSupport {
    /// Whether every value is finite.
    static func isFinite(_ t: Tensor) -> Bool { t.scalars.allSatisfy(\.isFinite) }

    /// Whether two float arrays agree within `tolerance` (absolute) everywhere.
    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// The value of `loss(inputs)` and the gradient it sends to each input.
    static func valueAndGradients(_ inputs: [Tensor], _ loss: ([Tensor]) -> Tensor) -> (Float, [[Float]]) {
        let leaves = inputs.map { $0.copy().requiringGradient() }
        let value = loss(leaves)
        value.backward()
        return (value.item, leaves.map { $0.grad?.scalars ?? [] })
    }
}
