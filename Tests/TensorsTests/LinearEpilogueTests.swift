import Testing
@testable import Tensors

/// Without gradients, a linear layer's bias and output activation run in the product's kernel
/// (`GEMM.Epilogue` on oneDNN's matmul primitive): the values of the product, bias pass and
/// activation it replaces.
@Suite struct LinearEpilogueTests {
    @Test(arguments: [Activation.gelu, .relu, .quickGelu], [true, false])
    func equalsTheProductThenBiasThenActivation(activation: Activation, hasBias: Bool) {
        let x = Tensor.randn([3, 7, 40], seed: 1), weight = Tensor.randn([24, 40], seed: 2), bias = hasBias ? Tensor.randn([24], seed: 3) : nil
        // Recorded, the activation runs after a separate product and bias pass on dnnl_sgemm.
        let separate = x.requiringGradient().linear(weight: weight, bias: bias, outputActivation: activation)
        #expect(separate.requiresGrad)
        let (fused, kernels) = GEMM.recordingImplementations {
            withoutGradient { x.linear(weight: weight, bias: bias, outputActivation: activation) }
        }
        #expect(!kernels.contains("dnnl_sgemm") && !KernelReport(kernels).kernels.isEmpty)
        #expect(KernelReport(kernels).referenceImplementations.isEmpty, "ran \(kernels)")
        let difference = zip(fused.scalars, separate.scalars).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-4, "\(activation) bias \(hasBias): largest difference \(difference)")
    }

    /// bf16 products take the epilogue too, with the values of the bf16 product and a bias pass.
    @Test func bf16ProductsApplyTheBias() {
        let x = Tensor.randn([16, 64], seed: 4), weight = Tensor.randn([32, 64], seed: 5), bias = Tensor.randn([32], seed: 6)
        withMatmulPrecision(.bf16) {
            let fused = withoutGradient { x.linear(weight: weight, bias: bias) }
            let separate = x.requiringGradient().linear(weight: weight, bias: bias)
            #expect(zip(fused.scalars, separate.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }
}
