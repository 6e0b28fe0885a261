import TestSupport
import Foundation
import Testing
import Text

/// BERT normalisation and WordPiece behaviour on the uncased MiniLM vocabulary.
@Suite struct TokenizerBehaviourTests {
    /// Loaded once for the suite: each test gets a fresh suite instance.
    static let loaded = Result { try WordPieceTokenizer(vocabularyFile: TestPaths.modelFile("vocab.txt")) }
    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try Self.loaded.get()
    }

    @Test func accentsAreStrippedAndCaseFolded() {
        #expect(tokenizer.tokenize("Café NAÏVE Résumé") == tokenizer.tokenize("cafe naive resume"))
        // Decomposed input (e + combining acute) normalises the same way.
        #expect(tokenizer.tokenize("Cafe\u{301}") == ["cafe"])
        #expect(tokenizer.tokenize("İstanbul") == tokenizer.tokenize("istanbul"))
    }

    @Test func cjkIdeographsAreSingleWords() {
        #expect(tokenizer.tokenize("我是中国人") == ["我", "[UNK]", "中", "国", "人"])
        #expect(tokenizer.tokenize("ab中cd") == ["ab", "中", "cd"])
        // Kana are not ideographs: they stay in one word and are cut by WordPiece.
        #expect(tokenizer.tokenize("カタカナ").allSatisfy { $0 == "カ" || $0.hasPrefix("##") || $0 == "[UNK]" })
    }

    @Test func punctuationIsSplitOff() {
        #expect(tokenizer.tokenize("hello,world!") == ["hello", ",", "world", "!"])
        // ASCII symbols count as punctuation, as in BERT.
        #expect(tokenizer.tokenize("$5+3^2`~") == ["$", "5", "+", "3", "^", "2", "`", "~"])
        // Unicode P* punctuation: guillemets and em dash.
        #expect(tokenizer.tokenize("«hi»—yes") == ["«", "hi", "»", "—", "yes"])
        #expect(tokenizer.tokenize("don't") == ["don", "'", "t"])
    }

    @Test func wordPieceUsesLongestMatchWithContinuations() {
        #expect(tokenizer.tokenize("unaffable") == ["una", "##ffa", "##ble"])
        #expect(tokenizer.decodeText(tokenizer.encode("unaffable playing")) == "unaffable playing")
    }

    @Test func longAndUnspellableWordsBecomeUnknown() {
        let unknown = tokenizer.specialTokens.unknown
        #expect(tokenizer.pieceIDs(String(repeating: "a", count: 101)) == [unknown])
        #expect(!tokenizer.pieceIDs(String(repeating: "a", count: 100)).contains(unknown))
        // One unknown character makes the whole word unknown, not just its piece.
        #expect(tokenizer.pieceIDs("hello😀 there") == [unknown, tokenizer.id(of: "there")!])
        #expect(tokenizer.pieceIDs("😀") == [unknown])
    }

    @Test func controlCharactersAndWhitespaceAreCleaned() {
        #expect(tokenizer.tokenize("hel\u{0}lo\u{200B}\u{FFFD}\u{7}") == ["hello"])
        #expect(tokenizer.tokenize("a\tb\nc\r\nd\u{A0}e\u{3000}f\u{2028}g") == ["a", "b", "c", "d", "e", "f", "g"])
        #expect(tokenizer.tokenize("  ") == [])
        #expect(tokenizer.encode("") == [101, 102])
    }

    @Test func specialTokensInTextAreKeptWhole() {
        #expect(tokenizer.pieceIDs("hello [SEP] world[MASK]") == [7592, 102, 2088, 103])
        // Case matters, as in Hugging Face: "[sep]" is ordinary text.
        #expect(tokenizer.tokenize("[sep]") == ["[", "sep", "]"])
    }

    @Test func singleSequencesTruncateToMaxLength() {
        let ids = tokenizer.encode("one two three four five", maxLength: 4)
        #expect(ids == [101, tokenizer.id(of: "one")!, tokenizer.id(of: "two")!, 102])
    }

    @Test func pairsCarryTokenTypesAndTruncateLongestFirst() {
        let pair = tokenizer.encode(pair: ("a b", "c"))
        #expect(tokenizer.decode(pair.ids) == ["[CLS]", "a", "b", "[SEP]", "c", "[SEP]"])
        #expect(pair.tokenTypeIDs == [0, 0, 0, 0, 1, 1])

        // 6 + 4 pieces into 5 slots: the longer loses first, ties cost the second.
        let long = tokenizer.encode(pair: ("a b c d e f", "g h i j"), maxLength: 8)
        #expect(tokenizer.decode(long.ids) == ["[CLS]", "a", "b", "c", "[SEP]", "g", "h", "[SEP]"])
        let short = tokenizer.encode(pair: ("a", "b c d e f g h"), maxLength: 6)
        #expect(tokenizer.decode(short.ids) == ["[CLS]", "a", "[SEP]", "b", "c", "[SEP]"])
    }

    @Test func batchesPadToTheLongestOrAFixedLength() {
        let batch = tokenizer.encodeBatch(["a", "a b c"])
        #expect(batch.batchSize == 2 && batch.sequenceLength == 5)
        #expect(Array(batch.ids(row: 0)) == [101, 1037, 102, 0, 0])
        #expect(Array(batch.attentionMask(row: 0)) == [1, 1, 1, 0, 0])
        #expect(Array(batch.attentionMask(row: 1)) == [1, 1, 1, 1, 1])
        #expect(batch.lengths == [3, 5])

        let fixed = tokenizer.encodeBatch(["a", "a b c"], padding: .fixed(4))
        #expect(fixed.ids == [101, 1037, 102, 0, 101, 1037, 1038, 102])
        #expect(fixed.attentionMask == [1, 1, 1, 0, 1, 1, 1, 1])

        let pairs = tokenizer.encodeBatch(pairs: [("a", "b"), ("a b", "c d")])
        #expect(pairs.sequenceLength == 7)
        #expect(Array(pairs.tokenTypeIDs(row: 0)) == [0, 0, 0, 1, 1, 0, 0])
        #expect(tokenizer.encodeBatch([]).ids.isEmpty)
    }

    @Test func decodeMapsIdsBackToTokens() {
        #expect(tokenizer.decode([101, 2652, 102]) == ["[CLS]", "playing", "[SEP]"])
        #expect(tokenizer.decode([-1, 1_000_000]) == ["[UNK]", "[UNK]"])
        #expect(tokenizer.decodeText([101, 2652, 102], skippingSpecialTokens: false) == "[CLS] playing [SEP]")
    }

    /// Tokenising grows linearly with the input: four times the sentences take about four times as
    /// long, where quadratic behaviour would take sixteen. A ratio of two timings on the same
    /// machine, each the fastest of three, rather than an absolute bound that depends on the CPU.
    @Test func encodingTimeGrowsLinearly() throws {
        let sentences = try PlainCorpus.read(TestPaths.dataFile("wiki/wiki-6400.txt")).examples
        func fastest(_ count: Int) -> Double {
            let batch = Array(sentences.prefix(count))
            return (0..<3).map { _ in ContinuousClock().measure { _ = tokenizer.encodeBatch(batch, maxLength: 128) } / .seconds(1) }.min()!
        }
        let small = fastest(500), large = fastest(2000)
        #expect(large / small < 10, "500 sentences: \(small) s, 2,000: \(large) s")
    }
}
