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
}
