import Foundation
import TestSupport
import Testing
import Tensors
@testable import NeuralNetworks

@Suite struct VisionLayerTests {
    @Test func convolutionLayerFollowsPyTorch() {
        var g = RandomGenerator(seed: 0)
        let conv = Conv2d(inputChannels: 3, outputChannels: 8, kernel: 3, stride: 2, padding: 1, generator: &g)
        #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(conv.weight.shape == [8, 3, 3, 3])
        #expect(conv(Tensor.randn([2, 3, 9, 9], seed: 1)).shape == [2, 8, 5, 5])
        let bound = 1 / Float(27).squareRoot()
        #expect(conv.weight.scalars.allSatisfy { abs($0) <= bound } && conv.weight.scalars.contains { abs($0) > bound / 2 })
        let he = Conv2d(inputChannels: 16, outputChannels: 64, kernel: 3, bias: false, kaimingFanOut: true, generator: &g)
        let w = he.weight.scalars
        let std = (w.map { $0 * $0 }.reduce(0, +) / Float(w.count)).squareRoot()
        #expect(he.bias == nil && abs(std - (2 / Float(64 * 9)).squareRoot()) < 0.005)
    }

    @Test func batchNormStateIsNamedAsPyTorch() {
        let norm = BatchNorm(features: 4)
        #expect(norm.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(norm.namedBuffers().map(\.name) == ["running_mean", "running_var"])
        #expect(norm.stateDict().keys.sorted() == ["bias", "running_mean", "running_var", "weight"])
        #expect(norm.trainableParameters().count == 2 && norm.parameterCount == 8)
        #expect(norm.namedBuffers().allSatisfy { !$0.tensor.requiresGrad })
        #expect(BatchNorm(features: 4, affine: false).namedParameters().isEmpty)
    }

    @Test func trainingUpdatesRunningStatistics() {
        let norm = BatchNorm(features: 2, momentum: 0.25)
        // Channel 0 holds 1...8, channel 1 holds 10, 20, ..., 80 (two images of 2x2).
        let values: [Float] = [1, 2, 3, 4, 10, 20, 30, 40, 5, 6, 7, 8, 50, 60, 70, 80]
        let x = Tensor(values, shape: [2, 2, 2, 2])
        let y = norm(x)
        // Batch means 4.5 and 45; unbiased variances 6 and 600.
        let expectedMean: [Float] = [0.25 * 4.5, 0.25 * 45], expectedVariance: [Float] = [0.75 + 0.25 * 6, 0.75 + 0.25 * 600]
        #expect(zip(norm.runningMean.scalars, expectedMean).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(norm.runningVariance.scalars, expectedVariance).allSatisfy { abs($0 - $1) < 1e-3 })
        let biasedVariance: Float = 5.25
        #expect(abs(y.scalars[0] - (1 - 4.5) / (biasedVariance + 1e-5).squareRoot()) < 1e-5)
        // Without gradient recording, training mode still tracks statistics.
        withoutGradient { _ = norm(x) }
        let twice: Float = 0.75 * 0.25 * 4.5 + 0.25 * 4.5
        #expect(abs(norm.runningMean.scalars[0] - twice) < 1e-5)
    }

    @Test func evaluationUsesRunningStatistics() {
        let norm = BatchNorm(features: 2)
        norm.runningMean.assign(Tensor([1, -2]))
        norm.runningVariance.assign(Tensor([4, 9]))
        norm.weight!.assign(Tensor([2, 1]))
        norm.bias!.assign(Tensor([0, 1]))
        norm.eval()
        let x = Tensor([3, 1, 5, 7], shape: [2, 2])
        let y = norm(x).scalars
        // (x - mean) / √variance · weight + bias per feature.
        let expected: [Float] = [2 * (3 - 1) / 2, (1 + 2) / 3 + 1, 2 * (5 - 1) / 2, (7 + 2) / 3 + 1]
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(norm.runningMean.scalars == [1, -2])  // evaluation leaves them alone
    }

    @Test func optimizersLeaveBuffersAlone() {
        let norm = BatchNorm(features: 3)
        let optimizer = AdamW(parameters: norm.trainableParameters(), learningRate: 0.1)
        (norm(Tensor.randn([5, 3], seed: 2)) * Tensor.randn([5, 3], seed: 3)).sum().backward()
        let running = norm.runningVariance.scalars
        optimizer.step()
        #expect(norm.runningVariance.scalars == running)
        #expect(norm.weight!.scalars != [1, 1, 1])
    }

    @Test func buffersRoundTripThroughSafeTensors() throws {
        let source = BatchNorm(features: 3), target = BatchNorm(features: 3)
        _ = source(Tensor.randn([4, 3, 2, 2], seed: 4).affine(scale: 2, shift: 3))
        let path = TestPaths.temporaryPath("batchnorm.safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensors.write(source.stateDict(), to: path)
        try target.load(stateDict: try SafeTensorsFile(path: path).allTensors())
        #expect(target.runningMean.scalars == source.runningMean.scalars)
        #expect(target.runningVariance.scalars == source.runningVariance.scalars)
        // A PyTorch checkpoint's num_batches_tracked is tolerated when ignored, missing buffers are not.
        var state = source.stateDict()
        state["num_batches_tracked"] = Tensor(scalar: 1)
        try target.load(stateDict: state, ignoring: ["num_batches_tracked"])
        state["running_var"] = nil
        #expect(throws: StateDictError.self) { try target.load(stateDict: state, ignoring: ["num_batches_tracked"]) }
    }
}
