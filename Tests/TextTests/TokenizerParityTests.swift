import TestSupport
import Foundation
import Testing
import Text

/// The tokenizer reproduces the ids sentence-transformers produced for all-MiniLM-L6-v2
/// (`Tests/Fixtures/reference/minilm_stsb_dev100.json`, 183 STS-B dev sentences).
@Suite struct TokenizerParityTests {
    struct Reference: Decodable {
        struct Sentence: Decodable {
            let text: String
            let ids: [Int]
        }
        let sentences: [Sentence]
    }

    static func reference() throws -> [Reference.Sentence] {
        let file = try TestPaths.fixture("reference/minilm_stsb_dev100.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: file)).sentences
    }

    func expectParity(_ tokenizer: WordPieceTokenizer) throws {
        let sentences = try Self.reference()
        #expect(sentences.count == 183)
        for sentence in sentences {
            #expect(tokenizer.encode(sentence.text) == sentence.ids, "\(sentence.text)")
        }
        let batch = tokenizer.encodeBatch(sentences.map(\.text))
        for (row, sentence) in sentences.enumerated() {
            #expect(Array(batch.ids(row: row).prefix(sentence.ids.count)) == sentence.ids)
        }
    }

    @Test func vocabTxtMatchesReference() throws {
        try expectParity(WordPieceTokenizer(vocabularyFile: TestPaths.modelFile("vocab.txt")))
    }

    @Test func tokenizerJSONMatchesReference() throws {
        // Only tokenizer.json in the folder, so nothing else can supply the vocabulary.
        let dir = try TestPaths.temporaryDirectory()
        try FileManager.default.copyItem(
            at: TestPaths.modelFile("tokenizer.json"), to: dir.appendingPathComponent("tokenizer.json"))
        let tokenizer = try WordPieceTokenizer(directory: dir)
        #expect(tokenizer.vocabularySize == 30522)
        #expect(tokenizer.normalization == NormalizationOptions(lowercase: true, stripAccents: nil))
        try expectParity(tokenizer)
    }

    @Test func modelFolderPrefersVocabTxt() throws {
        let tokenizer = try WordPieceTokenizer(directory: TestPaths.modelFile("vocab.txt").deletingLastPathComponent())
        #expect(tokenizer.encode("A man is playing a guitar.") == [101, 1037, 2158, 2003, 2652, 1037, 2858, 1012, 102])
        let special = tokenizer.specialTokens
        #expect([special.classification, special.separator, special.padding, special.unknown] == [Int]([101, 102, 0, 100]))
    }
}
