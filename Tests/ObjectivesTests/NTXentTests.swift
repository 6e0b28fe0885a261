import Foundation
import Objectives
import Testing
import Tensors

/// NT-Xent against SimCLR's definition written out with plain loops.
@Suite struct NTXentTests {
    /// `ℓ(i, j) = -log(exp(s_ij/τ) / Σ_{k≠i} exp(s_ik/τ))` over the 2N views, averaged.
    static func direct(_ z1: Tensor, _ z2: Tensor, temperature: Float) -> Float {
        let n = z1.shape[0], d = z1.shape[1]
        let rows = (z1.scalars + z2.scalars).chunked(d).map { row -> [Double] in
            let norm = row.map { Double($0 * $0) }.reduce(0, +).squareRoot()
            return row.map { Double($0) / norm }
        }
        func similarity(_ a: Int, _ b: Int) -> Double { zip(rows[a], rows[b]).map(*).reduce(0, +) / Double(temperature) }
        var total = 0.0
        for i in 0..<(2 * n) {
            let partner = i < n ? i + n : i - n
            let denominator = (0..<(2 * n)).filter { $0 != i }.map { exp(similarity(i, $0)) }.reduce(0, +)
            total -= log(exp(similarity(i, partner)) / denominator)
        }
        return Float(total / Double(2 * n))
    }

    @Test(arguments: [Float(0.5), 0.1])
    func matchesTheDirectComputation(temperature: Float) {
        let z1 = Tensor.randn([5, 4], seed: 3), z2 = Tensor.randn([5, 4], seed: 4)
        let loss = NTXentLoss(temperature: .fixed(temperature))(z1, z2).item
        #expect(abs(loss - Self.direct(z1, z2, temperature: temperature)) < 1e-4)
    }

    @Test func handComputedTwoImages() {
        // Views: a = (1,0), a' = (0,1), b = (-1,0), b' = (0,-1); τ = 1. Each view's partner is orthogonal
        // (similarity 0), the other two views are at 0 and -1: ℓ = -log(1 / (1 + 1 + e⁻¹)) for every anchor.
        let z1 = Tensor([1, 0, -1, 0], shape: [2, 2]), z2 = Tensor([0, 1, 0, -1], shape: [2, 2])
        let expected = Float(log(2 + exp(-1.0)))
        #expect(abs(NTXentLoss(temperature: .fixed(1))(z1, z2).item - expected) < 1e-5)
    }

    @Test func identicalViewsOfDistinctImagesGiveALowerLoss() {
        let z = Tensor.randn([8, 16], seed: 5)
        let loss = NTXentLoss(temperature: .fixed(0.5))
        #expect(loss(z, z).item < loss(z, Tensor.randn([8, 16], seed: 6)).item)
    }
}

extension Array {
    fileprivate func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
