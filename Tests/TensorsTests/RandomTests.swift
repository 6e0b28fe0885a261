import Foundation
import Testing
@testable import Tensors

@Suite struct RandomTests {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test func philoxKnownAnswers() {
        let zero = Philox.block(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = Philox.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = Philox.block(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test func dropoutMaskIsReplayableAndKeyed() {
        let x = Tensor.ones([100_003])
        let a = x.dropout(p: 0.25, seed: 42, stream: 3).scalars
        let b = x.dropout(p: 0.25, seed: 42, stream: 3).scalars
        let c = x.dropout(p: 0.25, seed: 42, stream: 4).scalars
        #expect(a == b)
        #expect(a != c)
        let kept = a.filter { $0 != 0 }
        #expect(Set(kept) == [Float(1) / 0.75])
        let fraction = Double(kept.count) / Double(a.count)
        #expect(Swift.abs(fraction - 0.75) < 0.01)
    }

    @Test func dropoutBackwardUsesTheForwardMask() {
        let x = Tensor.randn([5000], seed: 1).requiringGradient()
        let y = x.dropout(p: 0.5, seed: 9, stream: 1)
        y.sum().backward()
        let yv = y.scalars, g = x.grad!.scalars
        #expect(zip(yv, g).allSatisfy { ($0 == 0) == ($1 == 0) })
    }

    @Test func generatorDrawsAreReproducible() {
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5)
        #expect(Tensor.normal([1000], generator: &g1).scalars == Tensor.normal([1000], generator: &g2).scalars)
        #expect(g1 == g2)
        let n = Tensor.randn([200_000], seed: 3).scalars
        let mean = n.map(Double.init).reduce(0, +) / Double(n.count)
        let variance = n.map { Double($0) * Double($0) }.reduce(0, +) / Double(n.count) - mean * mean
        #expect(Swift.abs(mean) < 0.01)
        #expect(Swift.abs(variance - 1) < 0.02)
        var g = RandomGenerator(seed: 1)
        #expect(g.shuffled(Array(0..<50)).sorted() == Array(0..<50))
        let u = Tensor.rand([100_000], seed: 2).scalars
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}

extension RandomTests {
    /// The vectorised generator (used by uniform fills and dropout) and the scalar `Philox.bits`
    /// define the same element-to-bits mapping, including a tail that is not a multiple of 8.
    @Test func vectorAndScalarPathsAgree() {
        let count = 32 * 5 + 13
        var out = [Float](repeating: -1, count: count)
        out.withUnsafeMutableBufferPointer { Philox.fillUniform($0.baseAddress!, count: count, seed: 77, stream: 5) }
        let scalar = (0..<count).map { Philox.unitFloat(Philox.bits(seed: 77, stream: 5, index: $0)) }
        #expect(out == scalar)
        let x = Tensor.ones([count]).dropout(p: 0.5, seed: 77, stream: 5).scalars
        let threshold = UInt32(0.5 * 4_294_967_296.0)
        #expect(x == (0..<count).map { Philox.bits(seed: 77, stream: 5, index: $0) >= threshold ? 2 : 0 })
    }
}

extension RandomTests {
    /// Rows of a tensor dropped out on their own with `first` get the mask they have in the whole
    /// tensor, wherever the part starts (row widths that are and are not multiples of 8 and 32),
    /// and so does the backward.
    @Test(arguments: [7, 32, 45, 384])
    func partsOfATensorShareItsMask(width: Int) {
        let rows = 11
        let x = Tensor.randn([rows, width], seed: 4)
        let whole = x.dropout(p: 0.3, seed: 8, stream: 2).scalars
        for range in [0..<3, 3..<4, 4..<10, 10..<11, 0..<11] {
            let part = x.slice(axis: 0, range).requiringGradient()
            let y = part.dropout(p: 0.3, seed: 8, stream: 2, first: range.lowerBound * width)
            #expect(y.scalars == Array(whole[(range.lowerBound * width)..<(range.upperBound * width)]), "rows \(range)")
            y.sum().backward()
            #expect(part.grad!.scalars == y.scalars.map { $0 == 0 ? 0 : 1 / (1 - Float(0.3)) }, "rows \(range)")
        }
    }
}

extension RandomTests {
    /// `normal` draws its second uniform stream a block at a time: its values are still Box-Muller
    /// of the two whole streams, across block edges (more than one block of 2^18 elements).
    @Test func normalIsBoxMullerOfTwoUniformStreams() {
        let count = (1 << 18) + 1000
        var g = RandomGenerator(seed: 7), reference = g
        let drawn = Tensor.normal([count], mean: 0.5, std: 0.02, generator: &g).scalars
        let u1 = Tensor.uniform([count], generator: &reference).scalars, u2 = Tensor.uniform([count], generator: &reference).scalars
        let expected = (0..<count).map { i in
            let r = (-2 * Foundation.log(1 - u1[i])).squareRoot()
            return 0.5 + 0.02 * r * Foundation.cos(2 * Float.pi * u2[i])
        }
        #expect(drawn == expected)
        #expect(g == reference)
    }
}
