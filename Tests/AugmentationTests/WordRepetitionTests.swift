import Augmentation
import Tensors
import Testing

/// ESimCSE word repetition: counts, positions and special tokens.
@Suite struct WordRepetitionTests {
    /// The original positions duplicated in `view`, or nil when `view` is not `original` with
    /// some tokens doubled in place (the ids are distinct, so the alignment is unique).
    func duplicatedPositions(_ original: [Int], _ view: [Int]) -> [Int]? {
        var positions: [Int] = []
        var j = 0
        for (i, id) in original.enumerated() {
            guard j < view.count, view[j] == id else { return nil }
            j += 1
            if j < view.count, view[j] == id {
                positions.append(i)
                j += 1
            }
        }
        return j == view.count ? positions : nil
    }

    @Test func doublesContentTokensInPlace() throws {
        let ids = Sample.sentence(20)  // floor(0.32 * 20) = 6: 0 to 5 repetitions
        var counts = Set<Int>()
        for seed in 0..<200 as Range<UInt64> {
            let view = Sample.view(WordRepetition(), ids, seed: seed)
            let doubled = try #require(duplicatedPositions(ids, view))
            #expect(!doubled.contains(0) && !doubled.contains(ids.count - 1), "special tokens are never doubled")
            #expect(doubled.count < 6)
            counts.insert(doubled.count)
        }
        #expect(counts == Set(0..<6), "every count in [0, 6) is drawn")
    }

    @Test func capsAtTenRepetitions() throws {
        let ids = Sample.sentence(100)  // floor(0.32 * 100) = 32, capped to 10
        let counts = try (0..<300 as Range<UInt64>).map { seed in
            try #require(duplicatedPositions(ids, Sample.view(WordRepetition(), ids, seed: seed))).count
        }
        #expect(counts.max() == 9)
    }

    @Test func shortSequencesAreLeftAlone() {
        let ids = Sample.sentence(3)  // floor(0.32 * 3) = 0
        var generator = RandomGenerator(seed: 1)
        #expect(WordRepetition().augment(ids, isSpecial: Sample.special.contains, generator: &generator) == ids)
        #expect(generator == RandomGenerator(seed: 1), "no draw is made for a skipped sequence")
    }

    @Test func pairsKeepBothSeparators() throws {
        let ids = Sample.pair(10, 12)
        for seed in 0..<50 as Range<UInt64> {
            let view = Sample.view(WordRepetition(rate: 0.5), ids, seed: seed)
            #expect(Sample.specials(view) == [101, 102, 102])
            #expect(try #require(duplicatedPositions(ids, view)).allSatisfy { !Sample.special.contains(ids[$0]) })
        }
    }

    @Test func sameSeedSameView() {
        let ids = Sample.sentence(40)
        #expect(Sample.view(WordRepetition(), ids, seed: 7) == Sample.view(WordRepetition(), ids, seed: 7))
        #expect((0..<20 as Range<UInt64>).map { Sample.view(WordRepetition(), ids, seed: $0) }.count > 1)
    }
}
