import Foundation
@testable import Objectives
import Testing
import Tensors

/// The Matryoshka wrapper is the weighted sum of its inner loss at each truncation, with gradients.
@Suite struct MatryoshkaLossTests {
    let a = Tensor.randn([5, 8], seed: 11), b = Tensor.randn([5, 8], seed: 12)
    let nce = InfoNCELoss(temperature: .fixed(0.1))

    @Test func equalsTheWeightedSumOfTheInnerLossAtEachWidth() throws {
        let matryoshka = try MatryoshkaLoss(dimensions: [8, 4, 2], weights: [1, 0.5, 2])
        let value = matryoshka([a, b]) { nce(queries: $0[0], keys: $0[1]) }.item
        // Each width's loss computed by hand on the leading columns.
        func cut(_ t: Tensor, _ d: Int) -> Tensor {
            let (rows, width) = (t.shape[0], t.shape[1])
            let s = t.scalars
            return Tensor((0..<rows).flatMap { r in s[(r * width)..<(r * width + d)] }, shape: [rows, d])
        }
        let expected = zip([8, 4, 2], [Float(1), 0.5, 2]).reduce(Float(0)) { sum, term in
            sum + term.1 * nce(queries: cut(a, term.0), keys: cut(b, term.0)).item
        }
        #expect(abs(value - expected) < 1e-5)
        // Sentence-transformers' default weights are all 1.
        let unweighted = try MatryoshkaLoss(dimensions: [4, 2])([a, b]) { nce(queries: $0[0], keys: $0[1]) }.item
        #expect(abs(unweighted - (nce(queries: cut(a, 4), keys: cut(b, 4)).item + nce(queries: cut(a, 2), keys: cut(b, 2)).item)) < 1e-5)
    }

    @Test func gradientsCheck() throws {
        let matryoshka = try MatryoshkaLoss(dimensions: [6, 3, 1], weights: [1, 0.7, 0.3])
        let x = Tensor.randn([4, 6], seed: 21), y = Tensor.randn([4, 6], seed: 22)
        let result = GradientCheck.check([x, y]) { z in matryoshka(z) { nce(queries: $0[0], keys: $0[1]) } }
        #expect(result.passed, "\(result)")
        // Columns beyond the widest truncation get no gradient.
        let narrow = try MatryoshkaLoss(dimensions: [3, 2])
        let (_, gradients) = TestSupport.valueAndGradients([x, y]) { z in narrow(z) { nce(queries: $0[0], keys: $0[1]) } }
        for row in 0..<4 { #expect(gradients[0][(row * 6 + 3)..<(row * 6 + 6)].allSatisfy { $0 == 0 }) }
        #expect(gradients[0].contains { $0 != 0 })
    }

    @Test func refusesBadWidthsAndWeights() {
        func problem(_ d: [Int], _ w: [Float]? = nil) -> String? { MatryoshkaLoss.problem(dimensions: d, weights: w) }
        #expect(problem([]) == "give at least one dimension")
        #expect(problem([64, 0]) == "0 is not a positive dimension")
        #expect(problem([64, 64]) == "64,64 repeats a dimension")
        #expect(problem([64, 32], [1]) == "1 weights for 2 dimensions")
        #expect(problem([64, 32], [1, -1]) == "weight -1.0 is not a finite non-negative number")
        #expect(problem([64, 32], [0, 0]) == "the weights are all 0")
        #expect(problem([64, 32], [1, 0]) == nil)
        #expect(throws: MatryoshkaLoss.Problem.self) { try MatryoshkaLoss(dimensions: [0]) }
    }
}
