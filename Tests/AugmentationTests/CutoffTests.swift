import Augmentation
import Tensors
import Testing

/// Cutoff masks: what is cut, how much, and that gradients flow through the kept entries.
@Suite struct CutoffTests {
    /// Rows of 20 and 10 content tokens, the second padded.
    let batch = PaddedBatch(rows: [Sample.sentence(20), Sample.sentence(10, from: 2000)], padID: 0)
    let hidden = 8

    func masks(_ kind: Cutoff.Kind, rate: Double = 0.1, seed: UInt64 = 0) -> CutoffMasks {
        var generator = RandomGenerator(seed: seed)
        return Cutoff(kind, rate: rate).masks(for: batch, hiddenSize: hidden, specialTokens: Sample.special, generator: &generator)
    }

    /// The cut positions of row `row` (indices within the row).
    func cut(_ masks: CutoffMasks, row: Int) -> [Int] {
        let tokens = batch.sequenceLength
        return (0..<tokens).filter { masks.keep[row * tokens + $0] == 0 }
    }

    @Test func tokenCutoffZeroesCeilRateTimesLengthContentPositions() {
        for seed in 0..<20 as Range<UInt64> {
            let m = masks(.token, seed: seed)
            #expect(m.keepShape == [2, 22, 1])
            let first = cut(m, row: 0), second = cut(m, row: 1)
            #expect(first.count == 2 && second.count == 1)  // ceil(0.1 * 20), ceil(0.1 * 10)
            #expect((first + second).allSatisfy { $0 != 0 }, "[CLS] is never cut")
            #expect(first.allSatisfy { $0 < 21 } && second.allSatisfy { $0 < 11 }, "[SEP] and padding are never cut")
            let expectedMask = batch.attentionMask.indices.map { i in m.keep[i] == 0 ? 0 : batch.attentionMask[i] }
            #expect(m.attentionMask == expectedMask)
        }
        #expect(masks(.token, seed: 5) == masks(.token, seed: 5))
    }

    @Test func spanCutoffZeroesOneContiguousSpan() {
        var starts = Set<Int>()
        for seed in 0..<200 as Range<UInt64> {
            let m = masks(.span, rate: 0.2, seed: seed)
            let span = cut(m, row: 0)
            #expect(span.count == 4 && span.last! - span.first! == 3)
            #expect(span.first! >= 1 && span.last! <= 20)
            #expect(cut(m, row: 1).count == 2)
            #expect(m.attentionMask.filter { $0 == 0 }.count == 6 + 10)  // 6 cut + 10 padding
            starts.insert(span.first!)
        }
        #expect(starts == Set(1...17), "every start among the 17 that fit is drawn")
    }

    @Test func spanSkipsAPairsMiddleSeparator() {
        let pair = PaddedBatch(rows: [Sample.pair(2, 2)], padID: 0)  // [CLS] a a [SEP] b b [SEP]
        for seed in 0..<20 as Range<UInt64> {
            var generator = RandomGenerator(seed: seed)
            let m = Cutoff(.span, rate: 1).masks(for: pair, hiddenSize: 4, specialTokens: Sample.special, generator: &generator)
            #expect(m.keep == [1, 0, 0, 1, 0, 0, 1])
        }
    }

    @Test func featureCutoffZeroesTheSameDimensionsAtEveryContentPosition() {
        let m = masks(.feature, rate: 0.3)  // ceil(0.3 * 8) = 3 features
        #expect(m.keepShape == [2, 22, hidden])
        #expect(m.attentionMask == batch.attentionMask)
        for row in 0..<2 {
            let length = batch.lengths[row]
            let rows = (0..<22).map { t in Array(m.keep[(row * 22 + t) * hidden..<(row * 22 + t + 1) * hidden]) }
            let dropped = rows[1].indices.filter { rows[1][$0] == 0 }
            #expect(dropped.count == 3)
            #expect(rows[1..<length - 1].allSatisfy { $0 == rows[1] })
            let untouched = [0, length - 1] + Array(length..<22)
            #expect(untouched.allSatisfy { rows[$0] == Array(repeating: 1, count: hidden) }, "specials and padding")
        }
    }

    @Test func hookMultipliesAndGradientsFlowThroughKeptEntries() {
        let m = masks(.token)
        let embeddings = Tensor.ones([2, 22, hidden]).requiringGradient()
        let cutEmbeddings = m.wordEmbeddingHook(embeddings)
        #expect(cutEmbeddings.shape == [2, 22, hidden])
        let expected = m.keep.flatMap { Array(repeating: $0, count: hidden) }
        #expect(cutEmbeddings.scalars == expected)
        cutEmbeddings.sum().backward()
        #expect(embeddings.grad?.scalars == expected)
    }

    @Test func rowsOfTheMasksApplyToRowsOfTheEmbeddings() {
        for kind in [Cutoff.Kind.token, .feature] {
            let m = masks(kind)
            let embeddings = Tensor.randn([2, 22, hidden], seed: 1)
            let whole = m.apply(to: embeddings).scalars
            let second = m.rows(1..<2)
            #expect(second.keepShape == [1] + m.keepShape.dropFirst())
            #expect(second.attentionMask == Array(m.attentionMask[22..<44]))
            #expect(second.apply(to: embeddings.slice(axis: 0, 1..<2)).scalars == Array(whole[(22 * hidden)...]))
        }
    }

    @Test func zeroRateCutsNothing() {
        for kind in Cutoff.Kind.allCases {
            let m = masks(kind, rate: 0)
            #expect(m.keep.allSatisfy { $0 == 1 } && m.attentionMask == batch.attentionMask)
        }
    }
}
