import TestSupport
import Foundation
import Testing
import Text

/// The byte-level BPE tokenizer reproduces what transformers 5.25 (Hugging Face `tokenizers`)
/// made of `Tests/Fixtures/families/roberta/texts.txt` with the reference RoBERTa tokenizer:
/// accents, CJK, emoji, tabs, repeated spaces, URLs and long words included.
@Suite struct ByteLevelBPETests {
    struct Expected: Decodable {
        let inputIDs: [[Int]]
        let attentionMask: [[Int]]
        let tokensWithoutPadding: [[String]]

        enum CodingKeys: String, CodingKey {
            case inputIDs = "input_ids", attentionMask = "attention_mask", tokensWithoutPadding = "tokens_without_padding"
        }

        /// The ids of row `row` where the attention mask is 1.
        func unpaddedIDs(_ row: Int) -> [Int] {
            zip(inputIDs[row], attentionMask[row]).filter { $0.1 == 1 }.map(\.0)
        }
    }

    static func fixture(_ name: String) throws -> URL {
        try TestPaths.fixture("families/roberta/\(name)")
    }

    static func tokenizer() throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(tokenizerJSONFile: fixture("tokenizer.json"))
    }

    /// One text per line, kept exactly (tabs, leading and trailing spaces).
    static func texts() throws -> [String] {
        let lines = try String(contentsOf: fixture("texts.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.dropLast().map(String.init)
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture("expected_ids.json")))
    }

    /// The truncation length transformers used: `model_max_length` of tokenizer_config.json (64).
    static func modelMaxLength() throws -> Int {
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture("tokenizer_config.json"))) as? [String: Any]
        return try #require(config?["model_max_length"] as? Int)
    }

    @Test func idsMatchTransformersForEveryText() throws {
        let tokenizer = try Self.tokenizer(), texts = try Self.texts(), expected = try Self.expected()
        let maxLength = try Self.modelMaxLength()
        #expect(texts.count == 24 && expected.inputIDs.count == 24)
        for (row, text) in texts.enumerated() {
            #expect(tokenizer.encode(text, maxLength: maxLength) == expected.unpaddedIDs(row), "\(text)")
        }
    }

    @Test func tokensMatchTransformersForEveryText() throws {
        let tokenizer = try Self.tokenizer(), texts = try Self.texts(), expected = try Self.expected()
        for (row, text) in texts.enumerated() {
            #expect(tokenizer.decode(tokenizer.encode(text)) == expected.tokensWithoutPadding[row], "\(text)")
            #expect(["<s>"] + tokenizer.tokenize(text) + ["</s>"] == expected.tokensWithoutPadding[row])
        }
    }

    @Test func paddedBatchMatchesTransformers() throws {
        let tokenizer = try Self.tokenizer(), expected = try Self.expected()
        let batch = tokenizer.encodeBatch(try Self.texts(), maxLength: try Self.modelMaxLength())
        #expect(batch.batchSize == 24)
        #expect(batch.sequenceLength == expected.inputIDs[0].count)
        #expect(batch.ids == expected.inputIDs.flatMap { $0 })
        #expect(batch.attentionMask == expected.attentionMask.flatMap { $0 })
        #expect(batch.tokenTypeIDs.allSatisfy { $0 == 0 })
    }

    @Test func specialTokensAndVocabulary() throws {
        let tokenizer = try Self.tokenizer()
        let special = tokenizer.specialTokens
        #expect([special.classification, special.separator, special.padding] == [0, 2, 1] && special.unknown == nil)
        #expect(tokenizer.vocabularySize == 1000)
        #expect(tokenizer.id(of: "Ġthe") == 265 && tokenizer.id(of: "<mask>") == 4 && tokenizer.id(of: "Ġguitar") == nil)
    }

    @Test func decodedTextIsTheInputText() throws {
        let tokenizer = try Self.tokenizer()
        for text in try Self.texts() {
            #expect(tokenizer.decodeText(tokenizer.encode(text)) == text)
        }
        #expect(tokenizer.decodeText([0, 37, 2], skippingSpecialTokens: false) == "<s>A</s>")
        // The first two of the three bytes of `—` (U+2014), cut from the third.
        #expect(tokenizer.decodeText([543]) == "\u{FFFD}")
    }

    @Test func truncationKeepsTheSpecialTokens() throws {
        let tokenizer = try Self.tokenizer(), texts = try Self.texts(), expected = try Self.expected()
        // The longest reference text (49 tokens) cut to 20: the first 18 of its tokens.
        let longest = expected.unpaddedIDs(4)
        #expect(longest.count == 49)
        #expect(tokenizer.encode(texts[4], maxLength: 20) == Array(longest.prefix(19)) + [2])

        let maxLength = try Self.modelMaxLength()
        let long = texts.joined(separator: " ")
        let pieces = tokenizer.pieceIDs(long)
        #expect(pieces.count > 2 * maxLength)
        #expect(tokenizer.encode(long, maxLength: maxLength) == [0] + pieces.prefix(maxLength - 2) + [2])
        let batch = tokenizer.encodeBatch([texts[0], long], maxLength: maxLength)
        #expect(batch.sequenceLength == maxLength && batch.lengths == [expected.unpaddedIDs(0).count, maxLength])
        #expect(tokenizer.encodeBatch([texts[0]], maxLength: maxLength, padding: .fixed(10)).ids == Array(expected.unpaddedIDs(0).prefix(9)) + [2])
    }

    /// `<s> A </s></s> B </s>`, all token types 0, as RobertaProcessing builds pairs.
    @Test func pairsAreJoinedWithTwoSeparators() throws {
        let tokenizer = try Self.tokenizer(), texts = try Self.texts(), expected = try Self.expected()
        let first = expected.unpaddedIDs(14), second = expected.unpaddedIDs(11)
        let pair = tokenizer.encode(pair: (texts[14], texts[11]))
        #expect(pair.ids == first + [2] + second.dropFirst())
        #expect(pair.tokenTypeIDs == [Int](repeating: 0, count: pair.ids.count))
        let truncated = tokenizer.encode(pair: (texts[14], texts[4]), maxLength: 20)
        #expect(truncated.ids.count == 20 && truncated.ids.filter { $0 == 2 }.count == 3)
    }

    @Test func addedTokensInTheTextKeepTheirIDs() throws {
        let tokenizer = try Self.tokenizer()
        let hello = tokenizer.pieceIDs("Hello"), world = tokenizer.pieceIDs("world")
        #expect(tokenizer.pieceIDs("Hello<s>world") == hello + [0] + world)
        #expect(tokenizer.pieceIDs("Hello<mask></s>world") == hello + [4, 2] + world)
        #expect(tokenizer.pieceIDs("Hello<mask world") == hello + tokenizer.pieceIDs("<mask world"))
        #expect(tokenizer.decodeText(tokenizer.encode("Hello<mask>world")) == "Helloworld")
    }

    /// A `<mask>` with `lstrip` (as in roberta-base) takes the space before it.
    @Test func leftStrippedAddedTokenTakesTheSpaceBeforeIt() throws {
        let file = try Self.modifiedTokenizerJSON { json in
            var added = json["added_tokens"] as! [[String: Any]]
            added[4]["lstrip"] = true
            json["added_tokens"] = added
        }
        let tokenizer = try ByteLevelBPETokenizer(tokenizerJSONFile: file)
        let plain = try Self.tokenizer()
        #expect(tokenizer.pieceIDs("Hello <mask> world") == plain.pieceIDs("Hello") + [4] + plain.pieceIDs(" world"))
        #expect(plain.pieceIDs("Hello <mask> world") == plain.pieceIDs("Hello ") + [4] + plain.pieceIDs(" world"))
    }

    /// Merges written as "a b" strings, an end-of-word suffix and fused unknown characters.
    @Test func otherBPEOptions() throws {
        let json = #"""
        {"model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "end_of_word_suffix": "</w>",
                   "vocab": {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "a": 4, "b": 5, "b</w>": 6, "ab</w>": 7},
                   "merges": ["a b</w>"]},
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
         "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 1]}}
        """#
        let tokenizer = try ByteLevelBPETokenizer(tokenizerJSONFile: TestPaths.write(json, named: "tokenizer.json"))
        #expect(tokenizer.encode("ab") == [1, 7, 2])
        #expect(tokenizer.pieceIDs("xxab ba") == [3, 7, 3, 5, 3])
        let special = tokenizer.specialTokens
        #expect([special.classification, special.separator, special.padding, special.unknown] == [1, 2, 0, 3])
    }

    @Test(arguments: [
        ("normalizer", #"{"type": "Precompiled", "precompiled_charsmap": ""}"#, "unsupported: normalizer Precompiled (only none)"),
        ("pre_tokenizer", #"{"type": "Metaspace", "replacement": "▁"}"#, "unsupported: pre_tokenizer Metaspace (only ByteLevel)"),
        ("pre_tokenizer", "null", "unsupported: pre_tokenizer none (only ByteLevel)"),
        ("post_processor", #"{"type": "TemplateProcessing"}"#, "unsupported: post_processor TemplateProcessing (only RobertaProcessing)"),
        ("decoder", #"{"type": "WordPiece"}"#, "unsupported: decoder WordPiece (only ByteLevel)"),
        ("model.type", #""Unigram""#, "unsupported: model type Unigram (only BPE)"),
        ("model.dropout", "0.1", "unsupported: model.dropout 0.1"),
        ("model.merges", #"[["Ġ", "zz"]]"#, "merge 0 (Ġ zz) uses zz, which is not in model.vocab"),
        ("model.merges", #"[["Ġ"]]"#, "model.merges[0] should be a pair of tokens"),
        ("post_processor.cls", #""<s>""#, "post_processor.cls should be a [token, id] pair"),
        ("added_tokens", #"[{"id": "0", "content": "<s>"}]"#, "added_tokens[0].id should be a non-negative integer"),
        ("model.unk_token", #""<oov>""#, "the vocabulary has no <oov> token"),
    ])
    func unsupportedOrMalformedFileNamesFileAndComponent(_ path: String, _ value: String, _ message: String) throws {
        let file = try Self.modifiedTokenizerJSON { json in
            let replacement = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
            let keys = path.split(separator: ".").map(String.init)
            if keys.count == 1 {
                json[keys[0]] = replacement
            } else {
                var inner = json[keys[0]] as! [String: Any]
                inner[keys[1]] = replacement
                json[keys[0]] = inner
            }
        }
        let error = Self.loadingError(file)
        #expect(error?.description.hasPrefix(file.path + ": ") == true)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func missingFileNamesThePath() throws {
        let file = try TestPaths.temporaryDirectory().appendingPathComponent("tokenizer.json")
        let error = Self.loadingError(file)
        #expect(error?.problem == .missingFile)
        #expect(error?.description == "\(file.path): no such file")
    }

    // MARK: - Helpers

    static func loadingError(_ file: URL) -> TextFileError? {
        do {
            _ = try ByteLevelBPETokenizer(tokenizerJSONFile: file)
            Issue.record("\(file.path) loaded")
            return nil
        } catch {
            return error
        }
    }

    /// The reference tokenizer.json changed by `change`, written to a temporary folder.
    static func modifiedTokenizerJSON(_ change: (inout [String: Any]) throws -> Void) throws -> URL {
        var json = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: fixture("tokenizer.json"))) as? [String: Any])
        try change(&json)
        let file = try TestPaths.temporaryDirectory().appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        return file
    }
}
