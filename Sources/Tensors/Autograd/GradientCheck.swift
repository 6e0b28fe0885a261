/// Compares autograd gradients with central finite differences (PyTorch's `gradcheck`, adapted to
/// a Float32 engine: the function runs in Float32, every difference is accumulated in Float64).
public enum GradientCheck {
    /// The outcome of a check: the largest deviations seen and a description of the worst element.
    public struct Result: Sendable, CustomStringConvertible {
        /// Largest `|analytic - numeric|` over every element of every input.
        public var maxAbsoluteError: Double
        /// Whether every element satisfied `|analytic - numeric| <= atol + rtol * |numeric|`.
        public var passed: Bool
        /// The worst element: input index, flat element index, analytic and numeric values.
        public var worst: (input: Int, element: Int, analytic: Double, numeric: Double)?

        public var description: String {
            guard let w = worst else { return "gradient check: no elements" }
            return "gradient check \(passed ? "passed" : "FAILED"): max |error| \(maxAbsoluteError) at input \(w.input) element \(w.element) (analytic \(w.analytic), numeric \(w.numeric))"
        }
    }

    /// Checks the gradients of `function` with respect to each of `inputs`.
    ///
    /// The output is reduced to a scalar with fixed pseudo-random weights, so every output element
    /// contributes and errors cannot cancel. Each input element is perturbed by `±epsilon`.
    ///
    /// ```swift
    /// let x = Tensor.randn([3, 4], seed: 1)
    /// let result = GradientCheck.check([x]) { $0[0].softmax() }
    /// assert(result.passed)
    /// ```
    public static func check(
        _ inputs: [Tensor], epsilon: Float = 1e-2, absoluteTolerance: Double = 1e-3, relativeTolerance: Double = 1e-2,
        seed: UInt64 = 7, _ function: ([Tensor]) -> Tensor
    ) -> Result {
        let leaves = inputs.map { $0.copy().requiringGradient() }
        let output = function(leaves)
        var generator = RandomGenerator(seed: seed)
        let weights = Tensor.uniform(output.shape, low: -1, high: 1, generator: &generator)
        (output * weights).sum().backward()
        let w = weights.scalars.map(Double.init)

        func objective() -> Double {
            let out = withoutGradient { function(leaves) }.scalars
            var s = 0.0
            for (o, wi) in zip(out, w) { s += Double(o) * wi }
            return s
        }

        var result = Result(maxAbsoluteError: 0, passed: true, worst: nil)
        var worstScore = -Double.infinity
        for (index, leaf) in leaves.enumerated() {
            let analytic = leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.count)
            for element in 0..<leaf.count {
                let original = leaf.withUnsafeBufferPointer { $0[element] }
                leaf.withUnsafeMutableBufferPointer { $0[element] = original + epsilon }
                let plus = objective()
                leaf.withUnsafeMutableBufferPointer { $0[element] = original - epsilon }
                let minus = objective()
                leaf.withUnsafeMutableBufferPointer { $0[element] = original }
                let numeric = (plus - minus) / (2 * Double(epsilon))
                let a = Double(analytic[element])
                let error = Swift.abs(a - numeric)
                let allowed = absoluteTolerance + relativeTolerance * Swift.abs(numeric)
                result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, error)
                if error > allowed { result.passed = false }
                if error - allowed > worstScore {
                    worstScore = error - allowed
                    result.worst = (index, element, a, numeric)
                }
            }
        }
        return result
    }
}
