import TestSupport
import Foundation
import Testing
import Text

/// Loading problems throw a one-line ``TextFileError`` naming the file and the problem.
@Suite struct TokenizerLoadingErrorTests {
    static let minimalVocabulary = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\n"

    func loadingError(_ load: () throws -> WordPieceTokenizer) -> TextFileError? {
        do {
            _ = try load()
            return nil
        } catch let error as TextFileError {
            #expect(!error.description.contains("\n"), "one line: \(error)")
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func missingFile() throws {
        let file = try TestPaths.temporaryDirectory().appendingPathComponent("vocab.txt")
        let error = loadingError { try WordPieceTokenizer(vocabularyFile: file) }
        #expect(error?.problem == .missingFile)
        #expect(error?.description == "\(file.path): no such file")
    }

    @Test func emptyVocabulary() throws {
        let file = try TestPaths.write("", named: "vocab.txt")
        #expect(loadingError { try WordPieceTokenizer(vocabularyFile: file) }?.problem == .emptyVocabulary)
    }

    @Test(arguments: ["[UNK]", "[CLS]", "[SEP]", "[PAD]"])
    func missingSpecialToken(_ token: String) throws {
        let file = try TestPaths.write(Self.minimalVocabulary.replacingOccurrences(of: token + "\n", with: ""), named: "vocab.txt")
        let error = loadingError { try WordPieceTokenizer(vocabularyFile: file) }
        #expect(error?.problem == .missingSpecialToken(token))
        #expect(error?.description.contains("vocab.txt: the vocabulary has no \(token) token") == true)
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let file = try TestPaths.write(Array("[PAD]\n[UNK]\n".utf8) + [0x68, 0xFF, 0x0A] + Array("[CLS]\n".utf8), named: "vocab.txt")
        let error = loadingError { try WordPieceTokenizer(vocabularyFile: file) }
        #expect(error?.line == 3 && error?.problem == .invalidUTF8)
        #expect(error?.description == "\(file.path):3: invalid UTF-8")
    }

    @Test func minimalVocabularyWorks() throws {
        let file = try TestPaths.write(Self.minimalVocabulary, named: "vocab.txt")
        let tokenizer = try WordPieceTokenizer(vocabularyFile: file)
        #expect(tokenizer.encode("Hellos world") == [2, 4, 5, 1, 3])
    }

    @Test func casingFollowsTheVocabularyOrTheConfig() throws {
        let cased = try TestPaths.write(Self.minimalVocabulary + "Hello\n", named: "vocab.txt")
        #expect(try WordPieceTokenizer(vocabularyFile: cased).normalization.lowercase == false)
        try Data(#"{"do_lower_case": true}"#.utf8).write(
            to: cased.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json"))
        #expect(try WordPieceTokenizer(vocabularyFile: cased).normalization.lowercase == true)
        let uncased = try TestPaths.write(Self.minimalVocabulary, named: "vocab.txt")
        #expect(try WordPieceTokenizer(vocabularyFile: uncased).normalization.lowercase == true)
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "the top level should be an object"),
        (#"{"model": {}}"#, "missing key model.vocab"),
        (#"{"model": {"vocab": ["[PAD]"]}}"#, "model.vocab should be an object of token ids"),
        (#"{"model": {"vocab": {"[PAD]": "0"}}}"#, #"model.vocab["[PAD]"] should be an integer id"#),
        (#"{"model": {"vocab": {"[PAD]": true}}}"#, #"model.vocab["[PAD]"] should be an integer id"#),
        (#"{"model": {"vocab": {"[PAD]": 5}}}"#, "id 5 of \"[PAD]\" is outside 0..<1"),
        (#"{"model": {"vocab": {}}}"#, "the vocabulary is empty"),
        (#"{"model": {"type": "BPE", "vocab": {}}}"#, "unsupported: model type BPE"),
        (#"{"model": {"vocab": {"[PAD]": 0}}, "normalizer": {"lowercase": "yes"}}"#, "normalizer.lowercase should be a boolean"),
        (#"{"model": {"vocab": {"[PAD]": 0}}}"#, "the vocabulary has no [CLS] token"),
    ])
    func malformedTokenizerJSON(_ json: String, _ message: String) throws {
        let file = try TestPaths.write(json, named: "tokenizer.json")
        let error = loadingError { try WordPieceTokenizer(tokenizerJSONFile: file) }
        #expect(error?.description.hasPrefix(file.path + ": ") == true)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test func folderWithoutTokenizerFiles() throws {
        let dir = try TestPaths.temporaryDirectory()
        #expect(loadingError { try WordPieceTokenizer(directory: dir) }?.problem == .noTokenizerFiles)
    }
}
