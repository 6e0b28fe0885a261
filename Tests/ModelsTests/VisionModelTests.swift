import Foundation
import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing

/// Vision encoders (ViT, ResNet), the projection head: shapes, names, gradients, state dicts,
/// BatchNorm modes, and that small models can fit a toy image task.
@Suite struct VisionModelTests {
    static func tinyViT(seed: UInt64 = 1) -> VisionTransformer {
        var g = RandomGenerator(seed: seed)
        return VisionTransformer(VisionTransformerConfiguration(preset: .tiny28), source: RandomSource(seed: 0), generator: &g)
    }

    static func resnet8(seed: UInt64 = 1) -> ResNet {
        var g = RandomGenerator(seed: seed)
        return ResNet(ResNetConfiguration(preset: .resnet8, channels: 1), generator: &g)
    }

    /// The largest absolute difference between two tensors' values.
    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func visionTransformerShapesAndNames() {
        let vit = Self.tinyViT()
        let out = vit(Tensor.randn([3, 1, 28, 28], seed: 2))
        #expect(out.tokens.shape == [3, 17, 64] && out.cls.shape == [3, 64])
        let names = Set(vit.namedParameters().map(\.name))
        for name in ["embeddings.cls_token", "embeddings.position_embeddings", "embeddings.patch_embeddings.projection.weight",
                     "encoder.layer.3.layernorm_before.weight", "encoder.layer.0.attention.attention.query.weight",
                     "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.intermediate.dense.weight", "layernorm.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(vit.embeddings.projection.weight.shape == [64, 1, 7, 7])
        let rgb = VisionTransformerConfiguration(preset: .small32)
        #expect(rgb.patchCount == 64 && rgb.channels == 3 && VisionTransformerConfiguration(preset: .small48).patchCount == 64)
    }

    @Test func resNetShapesAndNames() {
        let resnet = Self.resnet8()
        #expect(resnet(Tensor.randn([2, 1, 28, 28], seed: 3)).shape == [2, 64])
        #expect(resnet.featureMaps(Tensor.randn([2, 1, 28, 28], seed: 3)).shape == [2, 64, 7, 7])
        let names = Set(resnet.stateDict().keys)
        for name in ["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.0.bn2.running_var",
                     "layer2.0.downsample.0.weight", "layer3.0.downsample.1.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(!names.contains("layer1.0.downsample.0.weight"))  // same width and resolution: identity shortcut
        var g = RandomGenerator(seed: 4)
        let imagenet = ResNet(ResNetConfiguration(channels: 3, stem: .imagenet, widths: [8, 16], blocks: [1, 2]), generator: &g)
        #expect(imagenet.featureMaps(Tensor.randn([1, 3, 64, 64], seed: 5)).shape == [1, 16, 8, 8])
        #expect(imagenet.stages[1].count == 2 && imagenet.featureSize == 16)
    }

    @Test(arguments: ["vit", "resnet"])
    func forwardAndBackwardGiveFiniteGradients(model: String) {
        let images = Tensor.randn([4, 1, 28, 28], seed: 6)
        let module: Module, features: Tensor
        if model == "vit" {
            let vit = Self.tinyViT()
            (module, features) = (vit, vit(images).cls)
        } else {
            let resnet = Self.resnet8()
            (module, features) = (resnet, resnet(images))
        }
        (features * Tensor.randn(features.shape, seed: 7)).sum().backward()
        for (name, tensor) in module.trainableParameters() {
            guard let grad = tensor.grad else {
                Issue.record("\(model): no gradient for \(name)")
                continue
            }
            #expect(grad.scalars.allSatisfy { $0.isFinite }, "\(model): non-finite gradient for \(name)")
        }
        let nonZero = module.trainableParameters().filter { $0.tensor.grad?.scalars.contains { $0 != 0 } == true }
        #expect(nonZero.count == module.trainableParameters().count)
    }

    @Test func resNetStateRoundTripsThroughSafeTensors() throws {
        let source = Self.resnet8(seed: 1), target = Self.resnet8(seed: 2)
        _ = source(Tensor.randn([8, 1, 28, 28], seed: 8).affine(scale: 2, shift: 1))  // moves the running statistics
        let path = try TestPaths.temporaryDirectory().appendingPathComponent("resnet.safetensors").path
        try SafeTensors.write(source.stateDict(), to: path)
        try target.load(stateDict: try SafeTensorsFile(path: path).allTensors())
        source.eval()
        target.eval()
        let images = Tensor.randn([3, 1, 28, 28], seed: 9)
        #expect(maxDifference(source(images), target(images)) == 0)
        #expect(target.bn1.runningMean.scalars == source.bn1.runningMean.scalars)
    }

    @Test func resNetEvaluationUsesRunningStatistics() {
        let resnet = Self.resnet8()
        let batch = Tensor.randn([6, 1, 28, 28], seed: 10)
        let before = resnet.bn1.runningMean.scalars
        let training = resnet(batch)
        #expect(resnet.bn1.runningMean.scalars != before)
        resnet.eval()
        let moved = resnet.bn1.runningMean.scalars
        let evaluated = resnet(batch)
        #expect(resnet.bn1.runningMean.scalars == moved)  // evaluation does not update them
        #expect(maxDifference(training, evaluated) > 1e-3)
        // Each image's features no longer depend on the rest of the batch.
        let alone = resnet(batch.slice(axis: 0, 2..<3))
        #expect(maxDifference(alone, evaluated.slice(axis: 0, 2..<3)) < 1e-5)
    }

    @Test func projectionHeadVariants() {
        var g = RandomGenerator(seed: 11)
        let simclr = ProjectionHead(inputSize: 64, hiddenSize: 32, outputSize: 16, batchNorm: true, generator: &g)
        #expect(simclr.stateDict().keys.sorted() == ["bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.weight", "fc1.weight", "fc2.bias", "fc2.weight"])
        #expect(simclr(Tensor.randn([5, 64], seed: 12)).shape == [5, 16])
        let v2 = ProjectionHead(inputSize: 64, hiddenSize: 32, outputSize: 8, layers: 3, batchNorm: true, outputBatchNorm: true, generator: &g)
        #expect(v2.namedParameters().map(\.name) == ["fc1.weight", "bn1.weight", "bn1.bias", "fc2.weight", "bn2.weight", "bn2.bias", "fc3.weight"])
        #expect(v2.namedBuffers().map(\.name).contains("bn3.running_mean"))
        let plain = ProjectionHead(inputSize: 64, hiddenSize: 32, outputSize: 8, generator: &g)
        #expect(plain.namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] && plain.outputSize == 8)
    }

    /// Images of two classes that differ only in which half is brighter, with noise.
    static func toyImages(count: Int, seed: UInt64) -> (Tensor, [Int]) {
        let noise = Tensor.randn([count, 1, 28, 28], seed: seed).scalars
        var values = [Float](), labels = [Int]()
        for i in 0..<count {
            let label = i % 2
            labels.append(label)
            for pixel in 0..<(28 * 28) {
                let top = pixel / 28 < 14
                values.append(0.5 * noise[i * 784 + pixel] + (top == (label == 0) ? 1 : 0))
            }
        }
        return (Tensor(values, shape: [count, 1, 28, 28]), labels)
    }

    @Test(arguments: ["vit", "resnet"])
    func smallModelsFitAToyTask(model: String) {
        let (images, labels) = Self.toyImages(count: 16, seed: 13)
        var g = RandomGenerator(seed: 14)
        let encoder: (Tensor) -> Tensor, parameters: [(name: String, tensor: Tensor)], width: Int
        if model == "vit" {
            let vit = Self.tinyViT()
            (encoder, parameters, width) = ({ vit($0).cls }, vit.trainableParameters(), vit.featureSize)
        } else {
            let resnet = Self.resnet8()
            (encoder, parameters, width) = ({ resnet($0) }, resnet.trainableParameters(), resnet.featureSize)
        }
        let classifier = Linear(inputSize: width, outputSize: 2, generator: &g)
        let optimizer = AdamW(parameters: parameters + classifier.trainableParameters().map { ("classifier.\($0.name)", $0.tensor) },
                              learningRate: 3e-3, weightDecay: 0)
        var losses: [Float] = []
        for _ in 0..<40 {
            optimizer.zeroGrad()
            let loss = classifier(encoder(images)).crossEntropy(targets: labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item)
        }
        #expect(losses[0] > 0.5 && losses.suffix(3).allSatisfy { $0 < 0.05 }, "\(model) losses: \(losses)")
    }
}
