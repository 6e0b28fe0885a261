import Testing
import Tensors

/// A finite-difference gradient test for every differentiable operation of the engine.
@Suite struct GradientTests {
    func check(_ inputs: [Tensor], epsilon: Float = 1e-2, sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
        let result = GradientCheck.check(inputs, epsilon: epsilon, f)
        #expect(result.passed, "\(result)", sourceLocation: sourceLocation)
    }

    /// Normal values pushed at least 0.1 away from 0 (for kinks at 0: relu, abs).
    func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        let x = Tensor.randn(shape, seed: seed)
        return Tensor(x.scalars.map { $0 + ($0 < 0 ? -0.1 : 0.1) }, shape: shape)
    }

    /// Distinct values spaced 0.1 apart in a shuffled order (for max, where ties break gradients).
    func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        let n = shape.reduce(1, *)
        return Tensor(g.shuffled((0..<n).map { Float($0) * 0.1 - Float(n) * 0.05 }), shape: shape)
    }

    @Test func add() { check([Tensor.randn([3, 4], seed: 1), Tensor.randn([3, 4], seed: 2)]) { $0[0] + $0[1] } }
    @Test func addBroadcastBias() { check([Tensor.randn([2, 3, 4], seed: 1), Tensor.randn([4], seed: 2)]) { $0[0] + $0[1] } }
    @Test func addBroadcastGeneral() { check([Tensor.randn([3, 1], seed: 1), Tensor.randn([1, 4], seed: 2)]) { $0[0] + $0[1] } }
    @Test func sub() { check([Tensor.randn([3, 4], seed: 3), Tensor.randn([3, 1], seed: 4)]) { $0[0] - $0[1] } }
    @Test func mul() { check([Tensor.randn([3, 4], seed: 5), Tensor.randn([4], seed: 6)]) { $0[0] * $0[1] } }
    @Test func div() {
        let b = Tensor.rand([2, 3, 4], seed: 8) + 1
        check([Tensor.randn([2, 3, 4], seed: 7), b]) { $0[0] / $0[1] }
    }
    @Test func scalarAffine() { check([Tensor.randn([5], seed: 9)]) { 3 - 2 * $0[0] / 4 + 1 } }
    @Test func scalarDividedByTensor() { check([Tensor.rand([5], seed: 9) + 1]) { 2 / $0[0] } }
    @Test func negate() { check([Tensor.randn([5], seed: 10)]) { -$0[0] } }
    @Test func exp() { check([Tensor.randn([4, 5], seed: 11)]) { $0[0].exp() } }
    @Test func log() { check([Tensor.rand([4, 5], seed: 12) + 0.5]) { $0[0].log() } }
    @Test func sqrt() { check([Tensor.rand([4, 5], seed: 13) + 0.5]) { $0[0].sqrt() } }
    @Test func tanh() { check([Tensor.randn([4, 5], seed: 14)]) { $0[0].tanh() } }
    @Test func sigmoid() { check([Tensor.randn([4, 5], seed: 15)]) { $0[0].sigmoid() } }
    @Test func relu() { check([awayFromZero([4, 5], seed: 16)]) { $0[0].relu() } }
    @Test func abs() { check([awayFromZero([4, 5], seed: 17)]) { $0[0].abs() } }
    @Test func powSquare() { check([Tensor.randn([4, 5], seed: 18)]) { $0[0].pow(2) } }
    @Test func powFractional() { check([Tensor.rand([4, 5], seed: 19) + 0.5]) { $0[0].pow(1.5) } }
    @Test func clamp() {
        // Values strictly inside or outside [-0.5, 0.5], never within epsilon of a bound.
        let x = Tensor([-1.2, -0.3, 0.2, 0.45, 0.7, 2.0], shape: [6])
        check([x]) { $0[0].clamped(min: -0.5, max: 0.5) }
    }
    @Test func gelu() { check([Tensor.randn([6, 7], seed: 20).affine(scale: 2)]) { $0[0].gelu() } }
    @Test func quickGelu() { check([Tensor.randn([6, 7], seed: 20).affine(scale: 2)]) { $0[0].quickGelu() } }
    @Test func dropout() { check([Tensor.randn([8, 16], seed: 21)]) { $0[0].dropout(p: 0.3, seed: 5, stream: 9) } }
    @Test func sumAxis() { check([Tensor.randn([2, 3, 4], seed: 22)]) { $0[0].sum(axis: 1) } }
    @Test func sumAll() { check([Tensor.randn([2, 3, 4], seed: 22)]) { $0[0].sum() } }
    @Test func meanAxis() { check([Tensor.randn([2, 3, 4], seed: 23)]) { $0[0].mean(axis: -1, keepingDimension: true) } }
    @Test func meanAll() { check([Tensor.randn([2, 3], seed: 23)]) { $0[0].mean() } }
    @Test func maxAxis() { check([distinct([3, 4, 5], seed: 24)]) { $0[0].max(axis: 1) } }
    @Test func maxLastAxis() { check([distinct([3, 5], seed: 25)]) { $0[0].max(axis: 1) } }
    @Test func logSumExp() { check([Tensor.randn([3, 4, 5], seed: 26)]) { $0[0].logSumExp(axis: 1) } }
    @Test func reshape() { check([Tensor.randn([2, 6], seed: 27)]) { $0[0].reshaped([3, -1]) * Tensor.randn([3, 4], seed: 1) } }
    @Test func squeezeUnsqueeze() { check([Tensor.randn([2, 1, 3], seed: 28)]) { $0[0].squeezed(axis: 1).unsqueezed(axis: 0) * Tensor.randn([1, 2, 3], seed: 2) } }
    @Test func permute() { check([Tensor.randn([2, 3, 4, 5], seed: 29)]) { $0[0].permuted([0, 2, 1, 3]) } }
    @Test func transpose() { check([Tensor.randn([3, 4], seed: 30)]) { $0[0].transposed() } }
    @Test func slice() { check([Tensor.randn([3, 6, 2], seed: 31)]) { $0[0].slice(axis: 1, 2..<5) } }
    @Test func indexSelect() { check([Tensor.randn([3, 4, 2], seed: 32)]) { $0[0].indexSelect(axis: 1, [3, 0, 3, 1]) } }
    @Test func gatherRows() { check([Tensor.randn([10, 4], seed: 33)]) { $0[0].gatherRows([1, 7, 1, 0, 9, 7], indexShape: [2, 3]) } }
    @Test func concat() { check([Tensor.randn([2, 3], seed: 34), Tensor.randn([2, 5], seed: 35)]) { Tensor.concat($0, axis: 1) } }
    @Test func stack() { check([Tensor.randn([2, 3], seed: 36), Tensor.randn([2, 3], seed: 37)]) { Tensor.stack($0, axis: 1) } }
    @Test func expand() { check([Tensor.randn([3, 1], seed: 38)]) { $0[0].expanded(to: [2, 3, 4]) } }
    @Test func whereSelect() {
        let condition = Tensor([1, 0, 0, 1], shape: [1, 4])
        check([Tensor.randn([3, 4], seed: 39), Tensor.randn([4], seed: 40)]) { Tensor.where(condition, $0[0], $0[1]) }
    }
    @Test func maskedFill() {
        let mask = Tensor([0, 1, 0], shape: [3, 1])
        check([Tensor.randn([3, 4], seed: 41)]) { $0[0].maskedFill(mask, -1e4) }
    }
    @Test func matmul() { check([Tensor.randn([3, 4], seed: 42), Tensor.randn([4, 5], seed: 43)]) { $0[0].matmul($0[1]) } }
    @Test func matmulTransposed() {
        check([Tensor.randn([4, 3], seed: 44), Tensor.randn([5, 4], seed: 45)]) { $0[0].matmul($0[1], transposeSelf: true, transposeOther: true) }
    }
    @Test func matmulBatched() {
        check([Tensor.randn([2, 3, 3, 4], seed: 46), Tensor.randn([2, 3, 5, 4], seed: 47)]) { $0[0].matmul($0[1], transposeOther: true) }
    }
    @Test func matmulBatchedTransposeSelf() {
        check([Tensor.randn([2, 4, 3], seed: 48), Tensor.randn([2, 4, 5], seed: 49)]) { $0[0].matmul($0[1], transposeSelf: true) }
    }
    @Test func matmulSharedRight() {
        check([Tensor.randn([2, 3, 4], seed: 50), Tensor.randn([5, 4], seed: 51)]) { $0[0].matmul($0[1], transposeOther: true) }
    }
    @Test func matmulSharedLeft() {
        check([Tensor.randn([3, 4], seed: 52), Tensor.randn([2, 4, 5], seed: 53)]) { $0[0].matmul($0[1]) }
    }
    @Test func softmax() { check([Tensor.randn([3, 7], seed: 54)]) { $0[0].softmax() } }
    @Test func logSoftmax() { check([Tensor.randn([3, 7], seed: 55)]) { $0[0].logSoftmax() } }
    @Test func layerNorm() {
        check([Tensor.randn([4, 6], seed: 56), Tensor.randn([6], seed: 57), Tensor.randn([6], seed: 58)]) {
            $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5)
        }
    }
    @Test func l2Normalize() { check([Tensor.randn([4, 6], seed: 59)]) { $0[0].l2Normalized() } }
    @Test func crossEntropy() {
        check([Tensor.randn([5, 4], seed: 60)]) { $0[0].crossEntropy(targets: [1, 0, -100, 3, 3]) }
    }
    @Test func softCrossEntropy() {
        let targets = Tensor.rand([3, 4], seed: 62).softmax()
        check([Tensor.randn([3, 4], seed: 61), targets]) { $0[0].crossEntropy(softTargets: $0[1]) }
    }
}

extension GradientTests {
    @Test func scaledMaskedSoftmax() {
        let mask = Tensor([0, 0, -1e4, 0, 0, 0, 0, -1e4], shape: [2, 4])
        check([Tensor.randn([2, 3, 2, 4], seed: 63)]) { $0[0].softmax(scale: 0.5, additiveMask: mask) }
    }
    @Test func scaledSoftmaxWithAPerQueryMask() {
        // Causal over three positions, the second sequence's last key padding.
        let mask = Tensor([0, -1e4, -1e4, 0, 0, -1e4, 0, 0, 0, 0, -1e4, -1e4, 0, 0, -1e4, 0, 0, -1e4], shape: [2, 3, 3])
        check([Tensor.randn([2, 2, 3, 3], seed: 64)]) { $0[0].softmax(scale: 0.5, additiveMask: mask) }
    }
}

extension GradientTests {
    @Test func conv2dPaddedWithBias() {
        check([Tensor.randn([2, 3, 5, 6], seed: 64), Tensor.randn([4, 3, 3, 3], seed: 65), Tensor.randn([4], seed: 66)]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 1, padding: 1)
        }
    }
    @Test func conv2dStrided() {
        check([Tensor.randn([3, 2, 7, 6], seed: 67), Tensor.randn([3, 2, 3, 2], seed: 68)]) {
            $0[0].conv2d(weight: $0[1], stride: 2, padding: 1)
        }
    }
    @Test func conv2dStridedWide() {
        // Rows wide enough for the eight-column paths of stride 2 in both directions.
        check([Tensor.randn([2, 2, 3, 37], seed: 85), Tensor.randn([2, 2, 3, 3], seed: 86)]) {
            $0[0].conv2d(weight: $0[1], stride: 2, padding: 1)
        }
    }
    @Test func conv2dPointwise() {
        check([Tensor.randn([2, 3, 4, 4], seed: 69), Tensor.randn([5, 3, 1, 1], seed: 70), Tensor.randn([5], seed: 71)]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2])
        }
    }
    @Test func maxPool2d() { check([distinct([2, 3, 7, 7], seed: 72)]) { $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1) } }
    @Test func avgPool2d() { check([Tensor.randn([2, 2, 6, 5], seed: 73)]) { $0[0].avgPool2d(kernel: 2) } }
    @Test func avgPool2dPaddingExcluded() {
        check([Tensor.randn([2, 2, 5, 5], seed: 74)]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, countingPadding: false) }
    }
    @Test func globalAveragePooled() { check([Tensor.randn([2, 3, 4, 5], seed: 75)]) { $0[0].globalAveragePooled() } }
    @Test func batchNormImages() {
        check([Tensor.randn([3, 4, 3, 5], seed: 76).affine(scale: 2, shift: 1), Tensor.randn([4], seed: 77), Tensor.randn([4], seed: 78)]) {
            $0[0].batchNorm(weight: $0[1], bias: $0[2]).output
        }
    }
    @Test func batchNormOverUnevenRangesOfShortRows() {
        // 13 samples split into fixed ranges of 2 with one left over; rows of 7 values end in a scalar tail.
        check([Tensor.randn([13, 3, 7], seed: 85).affine(scale: 2, shift: 1), Tensor.randn([3], seed: 86), Tensor.randn([3], seed: 87)]) {
            $0[0].batchNorm(weight: $0[1], bias: $0[2]).output
        }
    }
    @Test func batchNormVectorsWithoutAffine() {
        check([Tensor.randn([6, 5], seed: 79)]) { $0[0].batchNorm(weight: nil, bias: nil).output }
    }
    @Test func batchNormRunningStatistics() {
        let mean = Tensor.randn([3], seed: 80), variance = Tensor.rand([3], seed: 81) + 0.5
        check([Tensor.randn([2, 3, 4, 4], seed: 82), Tensor.randn([3], seed: 83), Tensor.randn([3], seed: 84)]) {
            $0[0].batchNorm(mean: mean, variance: variance, weight: $0[1], bias: $0[2])
        }
    }
    @Test func mulByAConstant() { check([Tensor.randn([3, 4], seed: 64)]) { $0[0].exp() * Tensor.randn([4], seed: 65) } }
    @Test func divOfAConstant() { check([Tensor.rand([3, 4], seed: 66) + 1]) { Tensor.randn([3, 4], seed: 67) / $0[0].sqrt() } }
    @Test func linear() {
        check([Tensor.randn([2, 3, 4], seed: 68), Tensor.randn([5, 4], seed: 69), Tensor.randn([5], seed: 70)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
    }
    @Test func linearWithoutBias() { check([Tensor.randn([3, 4], seed: 71), Tensor.randn([2, 4], seed: 72)]) { $0[0].linear(weight: $0[1]) } }
    @Test func linearOfGELU() {
        check([Tensor.randn([2, 3, 4], seed: 73).affine(scale: 2), Tensor.randn([5, 4], seed: 74), Tensor.randn([5], seed: 75)]) {
            $0[0].linear(weight: $0[1], bias: $0[2], inputActivation: .gelu)
        }
    }
    @Test func linearOfQuickGELU() {
        check([Tensor.randn([2, 3, 4], seed: 73).affine(scale: 2), Tensor.randn([5, 4], seed: 74), Tensor.randn([5], seed: 75)]) {
            $0[0].linear(weight: $0[1], bias: $0[2], inputActivation: .quickGelu)
        }
    }
    @Test func linearOfReLU() {
        check([awayFromZero([3, 4], seed: 76), Tensor.randn([2, 4], seed: 77), Tensor.randn([2], seed: 78)]) {
            $0[0].linear(weight: $0[1], bias: $0[2], inputActivation: .relu)
        }
    }
    @Test func linearOfGELUWithAFrozenWeight() {
        // The input's gradient alone: the backward recomputes no activation for the weight.
        let weight = Tensor.randn([5, 4], seed: 80)
        check([Tensor.randn([3, 4], seed: 79)]) { $0[0].linear(weight: weight, inputActivation: .gelu) }
    }
    @Test func linearThenGELU() {
        check([Tensor.randn([2, 3, 4], seed: 85), Tensor.randn([5, 4], seed: 86), Tensor.randn([5], seed: 87)]) {
            $0[0].linear(weight: $0[1], bias: $0[2], outputActivation: .gelu)
        }
    }
    @Test func linearWithResidual() {
        check([Tensor.randn([2, 3, 4], seed: 88), Tensor.randn([5, 4], seed: 89), Tensor.randn([5], seed: 90), Tensor.randn([2, 3, 5], seed: 91)]) {
            $0[0].linear(weight: $0[1], bias: $0[2], inputActivation: .gelu, residual: $0[3])
        }
    }
    @Test func matmulAfterDropout() {
        check([Tensor.randn([2, 3, 4, 5], seed: 81), Tensor.randn([2, 3, 5, 6], seed: 82)]) {
            $0[0].matmulAfterDropout($0[1], p: 0.3, seed: 5, stream: 9, first: 40)
        }
    }
    @Test func matmulAfterDropoutSharedRight() {
        check([Tensor.randn([2, 3, 4], seed: 83), Tensor.randn([4, 5], seed: 84)]) { $0[0].matmulAfterDropout($0[1], p: 0.5, seed: 1, stream: 2) }
    }
}
