import TestSupport
import Foundation
import Testing
import Text

/// One reader of `tokenizer.json` for every family: for the reference tokenizers saved by
/// transformers 5.25 (`Tests/Fixtures/families/*`), ``PipelineTokenizer`` gives the ids
/// transformers gave for each of the 24 texts (accents, CJK, emoji, tabs, repeated spaces, URLs,
/// long words), and the same padded batch.
@Suite struct TokenizerFamilyParityTests {
    /// A reference folder and how transformers encoded its texts.
    struct Family: Sendable, CustomTestStringConvertible {
        let name: String
        /// What transformers padded the batch to: the longest text, or CLIP's 77.
        let padding: Padding
        /// The class `tokenizer_config.json` names.
        let tokenizerClass: String

        var testDescription: String { name }

        func fixture(_ file: String) throws -> URL { try TestPaths.fixture("families/\(name)/\(file)") }
    }

    static let families = [
        Family(name: "roberta", padding: .longest, tokenizerClass: "RobertaTokenizer"),
        Family(name: "xlm-roberta", padding: .longest, tokenizerClass: "XLMRobertaTokenizer"),
        Family(name: "mpnet", padding: .longest, tokenizerClass: "MPNetTokenizer"),
        Family(name: "modernbert", padding: .longest, tokenizerClass: "TokenizersBackend"),
        Family(name: "clip", padding: .fixed(77), tokenizerClass: "CLIPTokenizer"),
    ]

    struct Expected: Decodable {
        let inputIDs: [[Int]]
        let attentionMask: [[Int]]
        /// Absent for CLIP, whose reference keeps only the ids.
        let tokensWithoutPadding: [[String]]?

        enum CodingKeys: String, CodingKey {
            case inputIDs = "input_ids", attentionMask = "attention_mask", tokensWithoutPadding = "tokens_without_padding"
        }

        /// The ids of row `row` where the attention mask is 1.
        func unpaddedIDs(_ row: Int) -> [Int] {
            zip(inputIDs[row], attentionMask[row]).filter { $0.1 == 1 }.map(\.0)
        }
    }

    static func expected(_ family: Family) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: family.fixture("expected_ids.json")))
    }

    /// One text per line, kept exactly (tabs, leading and trailing spaces).
    static func texts(_ family: Family) throws -> [String] {
        let lines = try String(contentsOf: family.fixture("texts.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        return lines.dropLast().map(String.init)
    }

    /// The truncation length transformers used: `model_max_length` of tokenizer_config.json.
    static func modelMaxLength(_ family: Family) throws -> Int {
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: family.fixture("tokenizer_config.json"))) as? [String: Any]
        return try #require(config?["model_max_length"] as? Int)
    }

    static func tokenizer(_ family: Family) throws -> PipelineTokenizer {
        try PipelineTokenizer(directory: family.fixture("tokenizer.json").deletingLastPathComponent())
    }

    @Test(arguments: families) func idsMatchTransformersForEveryText(_ family: Family) throws {
        let tokenizer = try Self.tokenizer(family), texts = try Self.texts(family), expected = try Self.expected(family)
        let maxLength = try Self.modelMaxLength(family)
        #expect(texts.count == 24 && expected.inputIDs.count == 24)
        for (row, text) in texts.enumerated() {
            #expect(tokenizer.encode(text, maxLength: maxLength) == expected.unpaddedIDs(row), "\(family.name): \(text)")
        }
    }

    @Test(arguments: families) func paddedBatchMatchesTransformers(_ family: Family) throws {
        let tokenizer = try Self.tokenizer(family), expected = try Self.expected(family)
        let batch = tokenizer.encodeBatch(try Self.texts(family), maxLength: try Self.modelMaxLength(family), padding: family.padding)
        #expect(batch.batchSize == 24 && batch.sequenceLength == expected.inputIDs[0].count)
        #expect(batch.ids == expected.inputIDs.flatMap { $0 })
        #expect(batch.attentionMask == expected.attentionMask.flatMap { $0 })
        #expect(batch.tokenTypeIDs.allSatisfy { $0 == 0 })
    }

    @Test(arguments: families.filter { $0.name != "clip" }) func tokensMatchTransformers(_ family: Family) throws {
        let tokenizer = try Self.tokenizer(family), expected = try Self.expected(family)
        for (row, text) in try Self.texts(family).enumerated() {
            let tokens = try #require(expected.tokensWithoutPadding?[row])
            #expect(tokenizer.decode(tokenizer.encode(text, maxLength: try Self.modelMaxLength(family))) == tokens, "\(family.name): \(text)")
        }
    }

    /// A folder with a tokenizer.json loads as the pipeline, whichever its family; saving writes
    /// the tokenizer.json back unchanged and keeps the config's class and special tokens.
    @Test(arguments: families) func folderLoadsAndSavesThePipeline(_ family: Family) throws {
        let folder = try family.fixture("tokenizer.json").deletingLastPathComponent()
        let loaded = try TokenizerFolder.load(folder)
        let tokenizer = try #require(loaded as? PipelineTokenizer)
        let saved = try TestPaths.temporaryDirectory()
        try tokenizer.save(to: saved, maxLength: 40)
        #expect(try Data(contentsOf: saved.appendingPathComponent("tokenizer.json")) == Data(contentsOf: family.fixture("tokenizer.json")))
        let config = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: saved.appendingPathComponent("tokenizer_config.json"))) as? [String: Any])
        let original = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: family.fixture("tokenizer_config.json"))) as? [String: Any])
        #expect(config["tokenizer_class"] as? String == family.tokenizerClass)
        #expect(config["model_max_length"] as? Int == 40)
        #expect(config["pad_token"] as? String == original["pad_token"] as? String)
        let reloaded = try PipelineTokenizer(directory: saved)
        for text in try Self.texts(family) {
            #expect(reloaded.encode(text, maxLength: 40) == tokenizer.encode(text, maxLength: 40))
        }
    }

    /// The special tokens each family's post-processor adds and its padding token.
    @Test func specialTokensOfEachFamily() throws {
        var found: [String: [Int?]] = [:]
        for family in Self.families {
            let special = try Self.tokenizer(family).specialTokens
            found[family.name] = [special.classification, special.separator, special.padding, special.unknown]
        }
        #expect(found["roberta"] == [0, 2, 1, nil])
        #expect(found["xlm-roberta"] == [0, 2, 1, 3])
        #expect(found["mpnet"] == [0, 2, 1, 104])
        #expect(found["modernbert"] == [2, 3, 0, nil])
        #expect(found["clip"] == [49406, 49407, 49407, 49407])
    }
}
