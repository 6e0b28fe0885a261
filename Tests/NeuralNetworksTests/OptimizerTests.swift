import Testing
import Tensors
@testable import NeuralNetworks

/// Sets each parameter's gradient to the given values.
private func setGradients(_ pairs: [(Tensor, [Float])]) {
    for (tensor, values) in pairs { tensor.grad = Tensor(values, shape: tensor.shape) }
}

@Suite struct OptimizerTests {
    /// Expected values from PyTorch's AdamW update written out in plain double arithmetic:
    /// lr 0.1, betas (0.9, 0.999), eps 1e-8, weight decay 0.1 on `w`, none on `b`.
    /// For `b` by hand: step 1, g = 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 0.001, update 0.1 → 0.4;
    /// step 2, g = 1: m = 0.19, v = 0.001999, m/(1−0.81) = 1, √v/√(1−0.999²) = 1 → 0.3.
    /// For b[1] (g = 2, then −2): step 1 → −0.6; step 2: m = −0.02, v = 0.007996,
    /// −0.6 − 0.1·(−0.02/0.19)/(√0.007996/√0.001999 + 1e-8) = −0.594736841631579.
    @Test func adamWMatchesTwoHandComputedSteps() {
        let w = Tensor([1.0, -2.0, 0.5, 3.0], shape: [2, 2]), b = Tensor([0.5, -0.5])
        let optimizer = AdamW(parameters: [("dense.weight", w.requiringGradient()), ("dense.bias", b.requiringGradient())],
                              learningRate: 0.1, weightDecay: 0.1)
        setGradients([(w, [0.5, -1.0, 0.25, 2.0]), (b, [1, 2])])
        optimizer.step()
        setGradients([(w, [-0.3, 0.4, 0.1, 1.0]), (b, [1, -2])])
        optimizer.step()
        #expect(close(w.scalars, [0.8619501989217752, -1.826639416652626, 0.3011924882231295, 2.7480820372035097], tolerance: 1e-6))
        #expect(close(b.scalars, [0.30000000200000065, -0.594736841631579], tolerance: 1e-6))
        let state = optimizer.stateDict()
        #expect(close(state["dense.weight.exp_avg"]!.scalars, [0.015, -0.05, 0.0325, 0.28], tolerance: 1e-6))
        #expect(close(state["dense.weight.exp_avg_sq"]!.scalars, [0.00033975, 0.001159, 0.0000724375, 0.004996], tolerance: 1e-5))
        #expect(state["dense.bias.step"]!.item == 2)
    }

    /// Under bf16 a layer's parameters keep their bf16 copies between products; an optimizer
    /// step must make them again, so the next forward sees the stepped weights.
    @Test func bf16ProductsSeeEachStepsWeights() {
        var g = RandomGenerator(seed: 4)
        let layer = Linear(inputSize: 24, outputSize: 8, generator: &g)
        #expect(layer.weight.keepsBFloat16Copy)
        let x = Tensor.randn([6, 24], seed: 5)
        let optimizer = AdamW(parameters: layer.namedParameters(), learningRate: 0.05)
        for _ in 0..<3 {
            let loss = withMatmulPrecision(.bf16) { layer(x).pow(2).sum() }
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            let fresh = (layer.weight.copy(), layer.bias!.copy())
            let same = withMatmulPrecision(.bf16) { layer(x) }.scalars
                == withMatmulPrecision(.bf16) { x.linear(weight: fresh.0, bias: fresh.1) }.scalars
            #expect(same, "the forward after a step multiplies the stepped weights")
        }
    }

    @Test func weightDecayExclusionByName() {
        let matrix = Tensor.zeros([2, 2]), vector = Tensor.zeros([2])
        #expect(!ParameterGroup.isExcludedFromWeightDecay(name: "encoder.layer.0.attention.self.query.weight", tensor: matrix))
        #expect(ParameterGroup.isExcludedFromWeightDecay(name: "encoder.layer.0.attention.output.LayerNorm.weight", tensor: matrix))
        #expect(ParameterGroup.isExcludedFromWeightDecay(name: "blocks.0.layer_norm.weight", tensor: matrix))
        #expect(ParameterGroup.isExcludedFromWeightDecay(name: "head.bias", tensor: matrix))
        #expect(ParameterGroup.isExcludedFromWeightDecay(name: "logit_scale", tensor: Tensor(scalar: 1)))
        #expect(ParameterGroup.isExcludedFromWeightDecay(name: "anything", tensor: vector))
        let groups = ParameterGroup.splittingWeightDecay(TinyEncoder(depth: 1).namedParameters(), weightDecay: 0.01)
        #expect(groups.map { $0.parameters.map(\.name) } == [["encoder.layer.0.self.query.weight"],
            ["encoder.layer.0.self.query.bias", "encoder.layer.0.LayerNorm.weight", "encoder.layer.0.LayerNorm.bias"]])
        #expect(groups.map(\.weightDecay) == [0.01, 0])
    }

    @Test func adamWResumesExactlyFromSavedState() throws {
        func run(resumeAfter: Int?) throws -> [Float] {
            let p = Tensor([1, 2, 3, 4], shape: [2, 2]).requiringGradient()
            var optimizer = AdamW(parameters: [("p", p)], learningRate: 0.05)
            for step in 0..<4 {
                if step == resumeAfter {
                    let saved = optimizer.stateDict()
                    optimizer = AdamW(parameters: [("p", p)], learningRate: 0.05)
                    try optimizer.load(stateDict: saved)
                }
                setGradients([(p, [Float(step), -1, 0.5, 2])])
                optimizer.step()
            }
            return p.scalars
        }
        #expect(try run(resumeAfter: 2) == run(resumeAfter: nil))
    }

    @Test func optimizerStateRejectsForeignKeys() {
        let p = Tensor.zeros([2]).requiringGradient()
        let optimizer = AdamW(parameters: [("p", p)])
        let bad = ["p.exp_avg": Tensor.zeros([3]), "q.exp_avg": Tensor.zeros([2])]
        let expected = StateDictError(missingKeys: ["p.exp_avg_sq", "p.step"], unexpectedKeys: ["q.exp_avg"],
                                      shapeMismatches: [.init(key: "p.exp_avg", expected: [2], found: [3])])
        #expect(throws: expected) { try optimizer.load(stateDict: bad) }
    }

    @Test func frozenParametersAreNotUpdated() {
        let p = Tensor([1, 1]).requiringGradient()
        let optimizer = AdamW(parameters: [("p", p)], learningRate: 0.1)
        optimizer.step()  // no gradient yet
        #expect(p.scalars == [1, 1] && optimizer.stateDict().isEmpty)
    }

    /// PyTorch SGD, lr 0.1, momentum 0.9: step 1 buffer = g = [1, 2] → p = [0.9, −1.2];
    /// step 2 buffer = 0.9·[1, 2] + [0.5, −1] = [1.4, 0.8] → p = [0.76, −1.28].
    @Test func sgdMomentumTwoSteps() {
        let p = Tensor([1, -1]).requiringGradient()
        let sgd = SGD(parameters: [("p", p)], learningRate: 0.1, momentum: 0.9)
        setGradients([(p, [1, 2])]); sgd.step()
        setGradients([(p, [0.5, -1])]); sgd.step()
        #expect(close(p.scalars, [0.76, -1.28], tolerance: 1e-6))
        #expect(close(sgd.stateDict()["p.momentum_buffer"]!.scalars, [1.4, 0.8], tolerance: 1e-6))
    }

    /// Nesterov with weight decay 0.01, values from the same recurrence in double precision.
    @Test func sgdNesterovWithWeightDecay() {
        let p = Tensor([1, -1]).requiringGradient()
        let sgd = SGD(parameters: [("p", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        setGradients([(p, [1, 2])]); sgd.step()
        setGradients([(p, [0.5, -1])]); sgd.step()
        #expect(close(p.scalars, [0.62975461, -1.34667161], tolerance: 1e-6))
    }

    @Test func clippingScalesToTheGlobalNorm() {
        let a = Tensor.zeros([2]).requiringGradient(), b = Tensor.zeros([1]).requiringGradient()
        setGradients([(a, [3, 0]), (b, [4])])
        #expect(clipGradientNorm([a, b], maxNorm: 10) == 5)
        #expect(a.grad!.scalars == [3, 0])  // under the limit: untouched
        #expect(clipGradientNorm([a, b], maxNorm: 1) == 5)
        #expect(close(a.grad!.scalars + b.grad!.scalars, [0.6, 0, 0.8], tolerance: 1e-5))
    }

    @Test func clippingSharedGradientBuffersScalesOnce() {
        // Both operands of an addition receive the same gradient buffer from autograd.
        let a = Tensor([1, 1]).requiringGradient(), b = Tensor([1, 1]).requiringGradient()
        ((a + b) * Tensor([3, 4])).sum().backward()
        clipGradientNorm([a, b], maxNorm: 1)
        let norm = (a.grad!.scalars + b.grad!.scalars).map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(abs(norm - 1) < 1e-4)
    }
}
