import Testing
@testable import Tensors

@Suite struct AutogradTests {
    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let w = Tensor([1, 2, 3]).requiringGradient()
        (w * 2).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad!.scalars == [5, 5, 5])
        w.zeroGrad()
        #expect(w.grad == nil)
        (w * w).sum().backward()
        #expect(w.grad!.scalars == [2, 4, 6])
    }

    @Test func accumulationDoesNotAliasAnotherGradient() {
        // `a + b` hands the same gradient to both leaves; accumulating into one must not change the other.
        let a = Tensor([1, 1]).requiringGradient(), b = Tensor([2, 2]).requiringGradient()
        (a + b).sum().backward()
        (a * 3).sum().backward()
        #expect(a.grad!.scalars == [4, 4])
        #expect(b.grad!.scalars == [1, 1])
    }

    @Test func aTensorUsedTwiceGetsBothContributions() {
        let x = Tensor([3]).requiringGradient()
        let y = x * x + x.exp()
        y.sum().backward()
        #expect(Swift.abs(x.grad!.item - (6 + Float(20.085537))) < 1e-4)
    }

    @Test func detachAndNoGradientScopeStopTheFlow() {
        let x = Tensor([1, 2]).requiringGradient()
        let y = x.detached() * x
        #expect(!x.detached().requiresGrad)
        y.sum().backward()
        #expect(x.grad!.scalars == [1, 2])
        let z = withoutGradient { x * 2 }
        #expect(!z.requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func broadcastGradientsReduceToTheInputShape() {
        let x = Tensor.randn([4, 3, 5], seed: 1).requiringGradient()
        let bias = Tensor.randn([5], seed: 2).requiringGradient()
        let column = Tensor.randn([4, 1, 1], seed: 3).requiringGradient()
        ((x + bias) * column).sum().backward()
        #expect(bias.grad!.shape == [5])
        #expect(column.grad!.shape == [4, 1, 1])
        #expect(x.grad!.shape == [4, 3, 5])
        // d/d bias of Σ (x + b) c = Σ over rows of c.
        let c = column.scalars
        let expected = Float(3) * c.reduce(0, +)
        #expect(bias.grad!.scalars.allSatisfy { Swift.abs($0 - expected) < 1e-4 })
    }

    @Test func backwardFromANonScalarTakesAnExplicitGradient() {
        let x = Tensor([1, 2, 3]).requiringGradient()
        let y = x * 2
        y.backward(Tensor([1, 0, 1]))
        #expect(x.grad!.scalars == [2, 0, 2])
    }

    @Test func frozenInputsGetNoGradient() {
        let x = Tensor([1, 2]).requiringGradient(), frozen = Tensor([3, 4])
        (x * frozen).sum().backward()
        #expect(frozen.grad == nil)
        #expect(x.grad!.scalars == [3, 4])
    }

    @Test func checkerDetectsAWrongGradient() {
        // An op whose backward is deliberately off by a factor of 2.
        let result = GradientCheck.check([Tensor.randn([4], seed: 1)]) { inputs in
            let x = inputs[0]
            let out = Tensor(x.scalars.map { $0 * $0 }, shape: x.shape)
            return out.recorded("wrongSquare", [x]) { g in [g * x * 4] }
        }
        #expect(!result.passed)
    }

    @Test func deepChainsDoNotOverflowTheStack() {
        var y = Tensor([1]).requiringGradient()
        let x = y
        for _ in 0..<20_000 { y = y * 1 }
        y.sum().backward()
        #expect(x.grad!.scalars == [1])
    }
}

/// A two-layer MLP trained through the autograd separates two interleaved spirals.
@Test func mlpLearnsTwoSpirals() {
    var generator = RandomGenerator(seed: 11)
    let perClass = 100
    var points = [Float](), labels = [Int]()
    for c in 0..<2 {
        for i in 0..<perClass {
            let t = Float(i) / Float(perClass) * 3 * .pi
            let r = 0.2 + t / (3 * .pi)
            let angle = t + Float(c) * .pi
            points += [r * _cos(angle) + 0.02 * (generator.nextUniform() - 0.5), r * _sin(angle) + 0.02 * (generator.nextUniform() - 0.5)]
            labels.append(c)
        }
    }
    let x = Tensor(points, shape: [2 * perClass, 2])
    let hidden = 64
    let w1 = Tensor.normal([2, hidden], std: 1.5, generator: &generator).requiringGradient()
    let b1 = Tensor.zeros([hidden]).requiringGradient()
    let w2 = Tensor.normal([hidden, hidden], std: Float(1 / Double(hidden).squareRoot()), generator: &generator).requiringGradient()
    let b2 = Tensor.zeros([hidden]).requiringGradient()
    let w3 = Tensor.normal([hidden, 2], std: Float(1 / Double(hidden).squareRoot()), generator: &generator).requiringGradient()
    let b3 = Tensor.zeros([2]).requiringGradient()
    let parameters = [w1, b1, w2, b2, w3, b3]
    // Plain Adam written out here: the optimizers live a floor above the engine.
    var m = parameters.map { [Float](repeating: 0, count: $0.count) }, v = m
    func logits() -> Tensor { (((x.matmul(w1) + b1).tanh().matmul(w2) + b2).tanh()).matmul(w3) + b3 }
    for step in 1...1500 {
        parameters.forEach { $0.zeroGrad() }
        logits().crossEntropy(targets: labels).backward()
        for (p, param) in parameters.enumerated() {
            let g = param.grad!.scalars
            param.withUnsafeMutableBufferPointer { w in
                for i in 0..<w.count {
                    m[p][i] = 0.9 * m[p][i] + 0.1 * g[i]
                    v[p][i] = 0.999 * v[p][i] + 0.001 * g[i] * g[i]
                    let mh = m[p][i] / (1 - _pow(0.9, Float(step))), vh = v[p][i] / (1 - _pow(0.999, Float(step)))
                    w[i] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
                }
            }
        }
    }
    let out = withoutGradient { logits() }.scalars
    let correct = (0..<labels.count).filter { (out[2 * $0 + 1] > out[2 * $0] ? 1 : 0) == labels[$0] }.count
    #expect(Double(correct) / Double(labels.count) > 0.95)
}

import Foundation
private func _cos(_ x: Float) -> Float { Foundation.cos(x) }
private func _sin(_ x: Float) -> Float { Foundation.sin(x) }
private func _pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }

extension AutogradTests {
    @Test func leavesNeverShareAGradientBuffer() {
        let a = Tensor([1, 1]).requiringGradient(), b = Tensor([1, 1]).requiringGradient()
        ((a + b) * Tensor([3, 4])).sum().backward()
        a.grad!.withUnsafeMutableBufferPointer { $0[0] = 100 }
        #expect(b.grad!.scalars == [3, 4])
        // Reshape views share storage too.
        let c = Tensor([1, 2]).requiringGradient(), d = Tensor([1, 2], shape: [1, 2]).requiringGradient()
        (c.reshaped([1, 2]) + d).sum().backward()
        c.grad!.withUnsafeMutableBufferPointer { $0[0] = 100 }
        #expect(d.grad!.scalars == [1, 1])
        // A gradient passed in by the caller is not adopted either.
        let e = Tensor([1, 2]).requiringGradient()
        let seed = Tensor([5, 6])
        e.backward(seed)
        e.grad!.withUnsafeMutableBufferPointer { $0[0] = 0 }
        #expect(seed.scalars == [5, 6])
    }
}

extension AutogradTests {
    @Test func aGraphThatIsNeverBackPropagatedIsFreed() {
        weak var output: Tensor?
        do {
            let x = Tensor.randn([4, 5], seed: 1).requiringGradient()
            let y = x.softmax().exp().l2Normalized().logSoftmax().logSumExp(axis: 1)
            output = y
        }
        #expect(output == nil)
    }

    @Test func intermediatesThatNoBackwardReadsAreFreedDuringTheForward() {
        let x = Tensor.randn([4, 5], seed: 2).requiringGradient()
        weak var intermediate: Tensor?
        let y: Tensor
        do {
            let t = x.permuted([1, 0])  // permute's backward needs no values
            intermediate = t
            y = t.reshaped([20]) * 2
        }
        #expect(intermediate == nil)
        y.sum().backward()
        #expect(x.grad!.scalars == [Float](repeating: 2, count: 20))
    }
}

extension AutogradTests {
    @Test func sumsAndDifferencesKeepNeitherOperand() {
        let x = Tensor.randn([4, 5], seed: 3).requiringGradient()
        weak var left: Tensor?, right: Tensor?
        let y: Tensor
        do {
            let a = x.affine(scale: 2), b = x.exp()
            left = a
            right = b
            y = a - b + x
        }
        #expect(left == nil && right == nil)
        y.sum().backward()
        let expected = x.scalars.map { 3 - Foundation.exp($0) }
        #expect(zip(x.grad!.scalars, expected).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
    }

    @Test func aProductKeepsOnlyTheOperandsTheGradientsRead() {
        let x = Tensor.randn([3], seed: 4).requiringGradient()
        let c = Tensor([1, 2, 3])
        weak var varying: Tensor?
        let y: Tensor
        do {
            let e = x.exp()  // its own backward keeps a view of its output, not the tensor
            varying = e
            y = e * c  // c needs no gradient, so e's values are not needed
        }
        #expect(varying == nil)
        y.sum().backward()
        let expected = zip(x.scalars, c.scalars).map { Foundation.exp($0) * $1 }
        #expect(zip(x.grad!.scalars, expected).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
    }

    /// The fused products give exactly the values and gradients of their compositions.
    @Test func linearEqualsMatmulBiasAndActivation() {
        for activation in [nil, Activation.gelu, .relu, .quickGelu] {
            func run(fused: Bool) -> [[Float]] {
                let x = Tensor.randn([2, 3, 8], seed: 5).requiringGradient()
                let w = Tensor.randn([6, 8], seed: 6).requiringGradient(), b = Tensor.randn([6], seed: 7).requiringGradient()
                let y = fused ? x.linear(weight: w, bias: b, inputActivation: activation)
                              : (activation.map { $0(x) } ?? x).matmul(w, transposeOther: true) + b
                (y * Tensor.randn([2, 3, 6], seed: 8)).sum().backward()
                return [y.scalars, x.grad!.scalars, w.grad!.scalars, b.grad!.scalars]
            }
            #expect(run(fused: true) == run(fused: false), "\(activation.map(\.rawValue) ?? "identity")")
        }
    }

    @Test func matmulAfterDropoutEqualsDropoutThenMatmul() {
        func run(fused: Bool) -> [[Float]] {
            let a = Tensor.randn([2, 4, 4], seed: 9).requiringGradient(), b = Tensor.randn([2, 4, 3], seed: 10).requiringGradient()
            let y = fused ? a.matmulAfterDropout(b, p: 0.25, seed: 3, stream: 4, first: 8)
                          : a.dropout(p: 0.25, seed: 3, stream: 4, first: 8).matmul(b)
            (y * Tensor.randn([2, 4, 3], seed: 11)).sum().backward()
            return [y.scalars, a.grad!.scalars, b.grad!.scalars]
        }
        #expect(run(fused: true) == run(fused: false))
    }
}
