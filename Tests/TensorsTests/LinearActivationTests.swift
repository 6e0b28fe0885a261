import Testing
@testable import Tensors

/// A linear layer's output activation: without gradients it runs in place in the bias pass
/// (`Kernels.addRowAndActivateInPlace`), with them it is recorded after the product; both give
/// the activation of the product plus bias.
@Suite struct LinearActivationTests {
    @Test(arguments: [Activation.gelu, .relu, .quickGelu], [true, false])
    func inPlaceEqualsRecorded(activation: Activation, hasBias: Bool) {
        let x = Tensor.randn([3, 7, 40], seed: 1), weight = Tensor.randn([24, 40], seed: 2), bias = hasBias ? Tensor.randn([24], seed: 3) : nil
        let inPlace = withoutGradient { x.linear(weight: weight, bias: bias, outputActivation: activation) }
        let recorded = x.requiringGradient().linear(weight: weight, bias: bias, outputActivation: activation)
        #expect(recorded.requiresGrad)
        let expected = activation(withoutGradient { x.linear(weight: weight, bias: bias) })
        #expect(zip(inPlace.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(recorded.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// The residual accumulated into by the product (inference) equals the product plus bias plus
    /// the residual, recorded or not, with and without an input activation.
    @Test(arguments: [true, false], [nil, Activation.gelu])
    func residualJoinsTheProduct(hasBias: Bool, inputActivation: Activation?) {
        let x = Tensor.randn([3, 7, 40], seed: 4), weight = Tensor.randn([24, 40], seed: 5), bias = hasBias ? Tensor.randn([24], seed: 6) : nil
        let residual = Tensor.randn([3, 7, 24], seed: 7)
        let expected = withoutGradient { x.linear(weight: weight, bias: bias, inputActivation: inputActivation) + residual }
        let fused = withoutGradient { x.linear(weight: weight, bias: bias, inputActivation: inputActivation, residual: residual) }
        let recorded = x.requiringGradient().linear(weight: weight, bias: bias, inputActivation: inputActivation, residual: residual)
        #expect(recorded.requiresGrad && !fused.requiresGrad)
        #expect(fused.shape == expected.shape && zip(fused.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(recorded.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
