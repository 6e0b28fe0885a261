import TestSupport
import Foundation
import Testing
import Text

/// A `tokenizer.json` the pipeline cannot read throws a one-line ``TextFileError`` naming the file
/// and what is wrong: the component it does not implement, or the key at fault.
@Suite struct PipelineLoadingErrorTests {
    /// A BPE file that loads, changed at `key` (`nil`: removed).
    static func file(changing key: String, to value: String?) throws -> URL {
        var json: [String: String] = [
            "model": #"{"type": "BPE", "vocab": {"<pad>": 0, "a": 1, "b": 2, "ab": 3}, "merges": ["a b"]}"#,
            "pre_tokenizer": #"{"type": "WhitespaceSplit"}"#,
        ]
        json[key] = value
        let text = "{" + json.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        return try TestPaths.write(text, named: "tokenizer.json")
    }

    static func loadingError(_ file: URL) -> TextFileError? {
        do {
            _ = try PipelineTokenizer(tokenizerJSONFile: file)
            Issue.record("\(file.path) loaded")
            return nil
        } catch {
            return error
        }
    }

    @Test func theUnchangedFileLoads() throws {
        let tokenizer = try PipelineTokenizer(tokenizerJSONFile: Self.file(changing: "normalizer", to: nil))
        #expect(tokenizer.pieceIDs("ab a") == [3, 1] && tokenizer.specialTokens.padding == 0)
    }

    @Test(arguments: [
        ("normalizer", #"{"type": "Foo"}"#, "unsupported: normalizer Foo"),
        ("normalizer", #"{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Nmt"}]}"#,
         "unsupported: normalizer Nmt (at normalizer.normalizers[1])"),
        ("pre_tokenizer", #"{"type": "UnicodeScripts"}"#, "unsupported: pre_tokenizer UnicodeScripts"),
        ("model", #"{"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}"#, "unsupported: model WordLevel"),
        ("post_processor", #"{"type": "Foo"}"#, "unsupported: post_processor Foo"),
        ("model", #"{"type": "BPE", "dropout": 0.1, "vocab": {"a": 0}, "merges": []}"#, "unsupported: model.dropout 0.1"),
        ("pre_tokenizer", #"{"type": "Split", "pattern": {"Regex": "(a"}, "behavior": "Isolated"}"#,
         "unsupported: pre_tokenizer.pattern.Regex (a"),
    ])
    func unsupportedComponentsAreNamed(_ key: String, _ value: String, _ message: String) throws {
        try expectError(Self.file(changing: key, to: value), message)
    }

    @Test(arguments: [
        ("normalizer", #"{"lowercase": true}"#, "missing key normalizer.type"),
        ("normalizer", #"{"type": "Precompiled", "precompiled_charsmap": "AAAA"}"#,
         "normalizer.precompiled_charsmap should be a sentencepiece character map in base64"),
        ("normalizer", #"{"type": "Replace", "pattern": {"Glob": "*"}, "content": ""}"#, "normalizer.pattern should be"),
        ("pre_tokenizer", #"{"type": "Split", "pattern": {"String": " "}, "behavior": "Dropped"}"#, "pre_tokenizer.behavior should be one of Removed"),
        ("pre_tokenizer", #"{"type": "Metaspace", "replacement": "__"}"#, "pre_tokenizer.replacement should be one character"),
        ("model", nil, "missing key model"),
        ("model", #"{"type": "Unigram", "vocab": [["a", "x"]], "unk_id": 0}"#, "model.vocab[0] should be a [piece, score] pair"),
        ("model", #"{"type": "Unigram", "vocab": [["<pad>", 0.0]], "unk_id": 3}"#, "model.unk_id 3 is outside 0..<1"),
        ("post_processor", #"{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}], "pair": [], "special_tokens": {}}"#,
         #"missing key post_processor.special_tokens["[CLS]"]"#),
        ("added_tokens", #"[{"id": -1, "content": "<s>"}]"#, "added_tokens[0].id should be a non-negative integer"),
        // Ids outside the vocabulary would index past a model's embeddings.
        ("post_processor", #"{"type": "RobertaProcessing", "sep": ["</s>", 7], "cls": ["<s>", 0]}"#, "the padding or post-processor id 7 is no token"),
        ("padding", #"{"pad_id": -1}"#, "the padding or post-processor id -1 is no token"),
    ])
    func malformedComponentsNameTheKey(_ key: String, _ value: String?, _ message: String) throws {
        try expectError(Self.file(changing: key, to: value), message)
    }

    @Test(arguments: [("{not json", "not valid JSON"), ("[1, 2]", "the top level should be an object")])
    func malformedJSON(_ text: String, _ message: String) throws {
        try expectError(TestPaths.write(text, named: "tokenizer.json"), message)
    }

    /// Without `<pad>`, `[PAD]`, a `padding` section or a config naming one, batches cannot be padded.
    @Test func aTokenizerWithoutPaddingTokenIsRefused() throws {
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#
        try expectError(TestPaths.write(json, named: "tokenizer.json"), "the vocabulary has no padding token")
    }

    @Test func missingFileNamesThePath() throws {
        let file = try TestPaths.temporaryDirectory().appendingPathComponent("tokenizer.json")
        #expect(Self.loadingError(file)?.description == "\(file.path): no such file")
    }

    func expectError(_ file: URL, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = try #require(Self.loadingError(file), sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(file.path + ": "), sourceLocation: sourceLocation)
        #expect(error.description.contains(message), "\(error)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    }
}
