import Augmentation
import Tensors
import Testing

/// EDA deletion, insertion and swap on WordPiece tokens.
@Suite struct EDATests {
    /// Whether `small` is `large` with some elements removed.
    func isSubsequence(_ small: [Int], of large: [Int]) -> Bool {
        var rest = large[...]
        for id in small {
            guard let index = rest.firstIndex(of: id) else { return false }
            rest = rest[(index + 1)...]
        }
        return true
    }

    // MARK: Deletion

    @Test func deletionDropsOnlyContent() {
        let ids = Sample.pair(30, 20)
        for seed in 0..<50 as Range<UInt64> {
            let view = Sample.view(RandomDeletion(probability: 0.3), ids, seed: seed)
            #expect(isSubsequence(view, of: ids))
            #expect(Sample.specials(view) == Sample.specials(ids))
        }
        let deleted = (0..<20 as Range<UInt64>).map { ids.count - Sample.view(RandomDeletion(probability: 0.3), ids, seed: $0).count }
        let mean = Double(deleted.reduce(0, +)) / Double(deleted.count)
        #expect((10...20).contains(mean), "about 0.3 * 50 = 15 tokens deleted, not \(mean)")
    }

    @Test func deletionKeepsOneContentToken() {
        let ids = Sample.sentence(8)
        for seed in 0..<20 as Range<UInt64> {
            let view = Sample.view(RandomDeletion(probability: 1), ids, seed: seed)
            #expect(view.count == 3 && view.first == 101 && view.last == 102)
        }
        #expect(Sample.view(RandomDeletion(probability: 0), ids, seed: 0) == ids)
    }

    // MARK: Insertion

    @Test func insertionAddsCeilRateTimesLengthCopies() {
        let ids = Sample.sentence(30)
        for seed in 0..<30 as Range<UInt64> {
            let view = Sample.view(RandomInsertion(rate: 0.1), ids, seed: seed)
            // ceil(0.1 * 30) is 3, though 0.1 * 30 is 3.0000000000000004 in binary.
            #expect(view.count == ids.count + 3)
            #expect(isSubsequence(ids, of: view))
            #expect(view.first == 101 && view.last == 102 && Sample.specials(view) == [101, 102])
            #expect(Set(view).isSubset(of: Set(ids)), "inserted tokens are copies")
        }
        #expect(Sample.view(RandomInsertion(rate: 0.1), ids, seed: 4) == Sample.view(RandomInsertion(rate: 0.1), ids, seed: 4))
        #expect(Sample.view(RandomInsertion(rate: 0.1), Sample.sentence(1), seed: 0).count == 4, "ceil(0.1) = 1")
        #expect(Sample.view(RandomInsertion(rate: 0.5), [101, 102], seed: 0) == [101, 102])
    }

    @Test func insertionStaysBetweenTheOuterSpecials() {
        // Slots run from the first content token to just after the last, inside [CLS] ... [SEP].
        for seed in 0..<20 as Range<UInt64> {
            let view = Sample.view(RandomInsertion(rate: 1), [101, 1000, 102, 2000, 102], seed: seed)
            #expect(view.first == 101 && view.last == 102 && view.count == 7)
        }
    }

    // MARK: Swap

    @Test func swapExchangesPairsOfContentTokens() {
        let ids = Sample.pair(12, 8)
        for seed in 0..<30 as Range<UInt64> {
            let view = Sample.view(RandomSwap(rate: 0.05), ids, seed: seed)  // ceil(0.05 * 20) = 1 swap
            let moved = ids.indices.filter { ids[$0] != view[$0] }
            #expect(moved.count == 2 && view[moved[0]] == ids[moved[1]] && view[moved[1]] == ids[moved[0]])
            #expect(moved.allSatisfy { !Sample.special.contains(ids[$0]) })
        }
        let shuffled = Sample.view(RandomSwap(rate: 0.5), ids, seed: 3)
        #expect(shuffled.sorted() == ids.sorted())
        #expect(ids.indices.filter { Sample.special.contains(ids[$0]) }.allSatisfy { shuffled[$0] == ids[$0] })
        #expect(Sample.view(RandomSwap(rate: 1), Sample.sentence(1), seed: 0) == Sample.sentence(1))
    }
}
