import Testing
import Tensors

/// Shape errors are programming errors: the process stops with a message naming the operation and
/// the shapes. These exit tests run each case in a child process and read its standard error.
@Suite struct ShapeErrorTests {
    func expectMessage(_ result: ExitTest.Result?, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let result else { return }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains(fragment), "stderr was: \(message)", sourceLocation: sourceLocation)
    }

    @Test func mismatchedMatmul() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        expectMessage(r, "matmul: shapes [2, 3] and [4, 5] are incompatible")
    }

    @Test func nonBroadcastableShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        expectMessage(r, "add: shapes [2, 3] and [4] cannot be broadcast together")
    }

    @Test func badAxis() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(axis: 3)
        }
        expectMessage(r, "sum: axis 3 is out of range for shape [2, 3]")
    }

    @Test func badReshape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
        expectMessage(r, "reshape: cannot reshape [2, 3] (6 elements) to [4, 2]")
    }

    @Test func layerNormParameters() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).layerNorm(weight: Tensor.zeros([4]), bias: Tensor.zeros([3]))
        }
        expectMessage(r, "layerNorm: weight [4] and bias [3] must both be [3] for input [2, 3]")
    }

    @Test func indexOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 2]).gatherRows([5])
        }
        expectMessage(r, "indexSelect: index 5 is out of range for axis 0 of shape [3, 2]")
    }

    @Test func convolutionChannels() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 8, 8]).conv2d(weight: Tensor.zeros([4, 2, 3, 3]))
        }
        expectMessage(r, "conv2d: weight [4, 2, 3, 3] must be [out channels, 3, kh, kw] for input [2, 3, 8, 8]")
    }

    @Test func convolutionKernelLargerThanImage() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 2, 2]).conv2d(weight: Tensor.zeros([1, 1, 5, 5]))
        }
        expectMessage(r, "conv2d: kernel 5x5 with padding 0x0 does not fit input [1, 1, 2, 2]")
    }

    @Test func poolingNeedsImages() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 8, 8]).maxPool2d(kernel: 2)
        }
        expectMessage(r, "maxPool2d: input must be [batch, channels, height, width], got [2, 8, 8]")
    }

    @Test func poolingPaddingBeyondHalfTheKernel() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 8, 8]).avgPool2d(kernel: 2, padding: 2)
        }
        expectMessage(r, "avgPool2d: padding 2x2 must be at most half of kernel 2x2 (input [1, 1, 8, 8])")
    }

    @Test func batchNormParameters() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4, 3, 2, 2]).batchNorm(weight: Tensor.ones([4]), bias: nil)
        }
        expectMessage(r, "batchNorm: weight [4] must be [3] for input [4, 3, 2, 2]")
    }
}
