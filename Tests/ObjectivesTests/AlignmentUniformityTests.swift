import Foundation
import Objectives
import Testing
import Tensors

@Suite struct AlignmentUniformityTests {
    @Test func chunkedUniformityEqualsOneBlockInValueAndGradient() {
        let x = Tensor.randn([11, 5], seed: 8)
        let (whole, wholeGrad) = TestSupport.valueAndGradients([x]) { Uniformity(chunkRows: 100).loss($0[0]) }
        for chunk in [1, 3, 4] {
            let (value, grad) = TestSupport.valueAndGradients([x]) { Uniformity(chunkRows: chunk).loss($0[0]) }
            #expect(abs(value - whole) < 1e-5)
            #expect(TestSupport.close(grad[0], wholeGrad[0], tolerance: 1e-5))
        }
        #expect(abs(Uniformity(chunkRows: 3).metric(x) - whole) < 1e-5)
    }

    @Test func uniformityMetricMatchesTheDefinitionOnALargerSet() {
        let x = Tensor.randn([300, 16], seed: 4)
        let z = x.l2Normalized().scalars
        var sum = 0.0
        for i in 0..<300 {
            for j in (i + 1)..<300 {
                var sq = 0.0
                for k in 0..<16 { let d = Double(z[i * 16 + k] - z[j * 16 + k]); sq += d * d }
                sum += Foundation.exp(-2 * sq)
            }
        }
        let expected = Foundation.log(sum / Double(300 * 299 / 2))
        #expect(abs(Double(Uniformity(chunkRows: 64).metric(x)) - expected) < 1e-4)
    }

    @Test func alignmentMetricUsesPairsAboveTheThreshold() {
        let x = Tensor.randn([4, 3], seed: 1), y = Tensor.randn([4, 3], seed: 2)
        let scores: [Float] = [4.5, 4.0, 1.0, 5.0]
        let expected = Alignment().loss(x.indexSelect(axis: 0, [0, 3]), y.indexSelect(axis: 0, [0, 3])).item
        #expect(Alignment().metric(x, y, goldScores: scores) == expected)
        #expect(Alignment().metric(x, y, goldScores: [0, 1, 2, 3]) == nil)
    }
}

@Suite struct BenchmarkSmokeTests {
    @Test func infoNCEBenchmarkReportsBothTimings() {
        let timing = ObjectiveBenchmarks.infoNCE(n: 16, d: 8, iterations: 1)
        #expect(timing.forwardBackwardSeconds > 0 && timing.matmulSeconds > 0)
        #expect(timing.matmulFlops == 6 * 16 * 16 * 8)
    }
}
