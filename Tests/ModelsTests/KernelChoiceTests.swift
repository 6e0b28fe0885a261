import Foundation
import Models
import NeuralNetworks
import Tensors
import Testing

/// The products of real training steps at the toolkit's default shapes run on oneDNN's optimised
/// kernels, never its reference implementation (`ref:`), at the instruction set of the run (the
/// CPU's best, and capped to AVX2 in `make test`'s second pass).
@Suite struct KernelChoiceTests {
    /// Runs a forward and backward pass in `precision`, returning the kernels its products ran on.
    func kernels(_ precision: MatmulPrecision, _ step: () -> Tensor) -> KernelReport {
        KernelReport(withMatmulPrecision(precision) { GEMM.recordingImplementations { step().backward() } }.implementations)
    }

    func expectOptimised(_ report: KernelReport, _ what: String) {
        #expect(report.referenceImplementations.isEmpty, "\(what) ran \(report.kernels) at oneDNN \(report.isa)")
        FileHandle.standardError.write(Data("KernelChoiceTests: \(what) ran \(report.kernels) at oneDNN \(report.isa)\n".utf8))
    }

    /// `bench train`'s step: all-MiniLM-L6-v2's shape, 64 sentences of 32 tokens (one layer: the
    /// others repeat its products).
    @Test(arguments: MatmulPrecision.allCases)
    func miniLMStep(precision: MatmulPrecision) {
        var generator = RandomGenerator(seed: 1)
        var configuration = BertConfiguration(preset: .minilm)
        configuration.layers = 1
        let model = BertModel(configuration, source: RandomSource(seed: 2), generator: &generator)
        let ids = (0..<64 * 32).map { $0 % 32 == 0 ? 101 : $0 % 32 == 31 ? 102 : 1000 + $0 % 20000 }
        let batch = TokenBatch(ids: ids, attentionMask: ids.map { _ in 1 }, batch: 64, tokens: 32)
        let report = kernels(precision) { Pooling(mode: .mean)(model(batch), attentionMask: batch.attentionMask).abs().sum() }
        expectOptimised(report, "a MiniLM step in \(precision)")
    }

    /// The image encoders of the image and image-text methods' default runs (batch 256 of 28x28
    /// Fashion-MNIST images; ViT of 48x48 RGB image-text pairs).
    @Test(arguments: MatmulPrecision.allCases)
    func imageEncoderSteps(precision: MatmulPrecision) {
        var generator = RandomGenerator(seed: 3)
        let resnet = ResNet(ResNetConfiguration(preset: .resnet8wide, channels: 1), generator: &generator)
        let grey = Tensor.randn([256, 1, 28, 28], seed: 4)
        expectOptimised(kernels(precision) { resnet(grey).abs().sum() }, "a ResNet-8-wide step in \(precision)")
        let vit = VisionTransformer(VisionTransformerConfiguration(preset: .small48), source: RandomSource(seed: 5), generator: &generator)
        let colour = Tensor.randn([64, 3, 48, 48], seed: 6)
        expectOptimised(kernels(precision) { vit(colour).tokens.abs().sum() }, "a ViT-small48 step in \(precision)")
    }
}
