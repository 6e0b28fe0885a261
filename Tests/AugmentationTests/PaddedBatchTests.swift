import Augmentation
import Foundation
import Tensors
import Testing
import Text

/// Applying a token augmentation to a batch: re-padding, token types, truncation.
@Suite struct PaddedBatchTests {
    /// Doubles every content token (deterministic, to check the batch bookkeeping).
    struct DoubleAll: TokenAugmentation {
        func augment(_ ids: [Int], isSpecial: (Int) -> Bool, generator: inout RandomGenerator) -> [Int] {
            ids.flatMap { isSpecial($0) ? [$0] : [$0, $0] }
        }
    }

    @Test func padsToTheLongestRow() {
        let batch = PaddedBatch(rows: [[101, 5, 102], [101, 102]], tokenTypes: [[0, 0, 0], [0, 0]], padID: 0)
        #expect(batch.sequenceLength == 3 && batch.lengths == [3, 2])
        #expect(batch.ids == [101, 5, 102, 101, 102, 0])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 0])
        #expect(batch.tokenTypeIDs == [0, 0, 0, 0, 0, 0])
        #expect(Array(batch.ids(row: 1)) == [101, 102])
    }

    @Test func augmentedBatchIsRepaddedWithSegmentTypes() {
        let batch = PaddedBatch(
            rows: [[101, 1, 102, 2, 102], [101, 3, 102]], tokenTypes: [[0, 0, 0, 1, 1], [0, 0, 0]], padID: 0)
        var generator = RandomGenerator(seed: 0)
        let view = batch.augmented(by: DoubleAll(), specialTokens: Sample.special, generator: &generator)
        #expect(view.sequenceLength == 7 && view.lengths == [7, 4])
        #expect(Array(view.ids(row: 0)) == [101, 1, 1, 102, 2, 2, 102])
        #expect(Array(view.tokenTypeIDs(row: 0)) == [0, 0, 0, 0, 1, 1, 1])
        #expect(Array(view.ids(row: 1)) == [101, 3, 3, 102])
        #expect(view.attentionMask == [1, 1, 1, 1, 1, 1, 1] + [1, 1, 1, 1, 0, 0, 0])
        #expect(view.ids.suffix(3) == [0, 0, 0])
    }

    @Test func truncationKeepsEverySpecialToken() {
        let batch = PaddedBatch(rows: [Sample.sentence(6), Sample.pair(3, 3)], padID: 0)
        var generator = RandomGenerator(seed: 0)
        let view = batch.augmented(by: DoubleAll(), specialTokens: Sample.special, maxLength: 8, generator: &generator)
        #expect(Array(view.ids(row: 0)) == [101, 1000, 1000, 1001, 1001, 1002, 1002, 102])
        #expect(Array(view.ids(row: 1)) == [101, 1000, 1000, 1001, 1001, 1002, 102, 102])
        #expect(view.lengths == [8, 8])
    }

    @Test func encodedBatchesFromATokenizer() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyFile: Sample.fixture("vocab.txt"))
        let special = SpecialTokenIDs(tokenizer)
        #expect(special == SpecialTokenIDs(classification: 2, separator: 3, padding: 0))
        let encoded = tokenizer.encodeBatch(pairs: [("the cat sleeps", "on the mat."), ("dog", "playing")])
        let batch = PaddedBatch(encoded, padID: special.padding)
        #expect(batch.ids == encoded.ids && batch.attentionMask == encoded.attentionMask
                && batch.tokenTypeIDs == encoded.tokenTypeIDs)
        var generator = RandomGenerator(seed: 0)
        let view = batch.augmented(by: DoubleAll(), specialTokens: special, generator: &generator)
        #expect(tokenizer.decode(Array(view.ids(row: 1))) == ["[CLS]", "dog", "dog", "[SEP]", "play", "play", "##ing", "##ing", "[SEP]"])
        #expect(Array(view.tokenTypeIDs(row: 1)) == [0, 0, 0, 0, 1, 1, 1, 1, 1])
    }

    @Test func sameSeedSameBatch() {
        let batch = PaddedBatch(rows: (0..<4).map { Sample.sentence(10 + $0, from: 1000 + 100 * $0) }, padID: 0)
        func view(_ seed: UInt64) -> PaddedBatch {
            var generator = RandomGenerator(seed: seed)
            return batch.augmented(by: WordRepetition(), specialTokens: Sample.special, generator: &generator)
        }
        #expect(view(3) == view(3))
    }
}
