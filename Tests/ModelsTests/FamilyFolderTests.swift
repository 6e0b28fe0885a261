import Foundation
@testable import Models
import TestSupport
import Text
import Testing

/// Every text family's reference folder (config.json, model.safetensors, tokenizer.json) loads as a
/// sentence encoder through `TextEncoderFamilies` and the pipeline tokenizer: the reference ids and
/// mean-pooled embeddings, and a saved folder that loads back alike with its tokenizer.json unchanged.
@Suite struct FamilyFolderTests {
    struct Expected: Decodable {
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let mean_pooled: [[Float]]
    }

    @Test(arguments: [("roberta", BertModel.self as any TextEncoderModel.Type), ("xlm-roberta", BertModel.self),
                      ("mpnet", MPNetModel.self), ("modernbert", ModernBertModel.self)])
    func sentenceEncoderReadsAndWritesTheFolder(family: String, type: any TextEncoderModel.Type) throws {
        let folder = try TestPaths.fixture("families/\(family)")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected_outputs.json")))
        let texts = try String(contentsOf: folder.appendingPathComponent("texts.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .prefix(expected.input_ids.count).map(String.init)
        let encoder = try SentenceEncoder(directory: folder, pooling: .mean)
        #expect(Swift.type(of: encoder.model) == type && encoder.tokenizer is PipelineTokenizer)
        for (text, (ids, mask)) in zip(texts, zip(expected.input_ids, expected.attention_mask)) {
            #expect(encoder.tokenizer.encode(text, maxLength: 64) == Array(ids.prefix(mask.reduce(0, +))), "\(family): \(text)")
        }
        let scale = expected.mean_pooled.flatMap { $0 }.map(abs).max()!
        func worst(_ encoder: SentenceEncoder) -> Float {
            zip(encoder.encode(texts, batchSize: 7).scalars, expected.mean_pooled.flatMap { $0 }).map { abs($0 - $1) }.max()!
        }
        #expect(worst(encoder) <= 1e-4 * scale, "\(family)")
        let saved = try TestPaths.temporaryDirectory()
        try encoder.save(to: saved)
        let reloaded = try SentenceEncoder(directory: saved)
        #expect(reloaded.pooling.mode == .mean && reloaded.model.configurationJSON["model_type"] as? String == family)
        #expect(try Data(contentsOf: saved.appendingPathComponent("tokenizer.json")) == Data(contentsOf: folder.appendingPathComponent("tokenizer.json")))
        #expect(worst(reloaded) <= 1e-4 * scale, "\(family) reloaded")
    }

    /// A Hugging Face folder without sentence-transformers' files truncates where its tokenizer
    /// says (`model_max_length`), as sentence-transformers and transformers do; the placeholder of
    /// tokenizers without a limit leaves the model's, and a length below 2 is refused naming the file.
    @Test func aPlainFolderTakesItsTokenizersLength() throws {
        let fixture = try TestPaths.fixture("families/roberta")
        let folder = try TestPaths.temporaryDirectory()
        for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        func withLength(_ length: String) throws -> SentenceEncoder {
            let config = try String(contentsOf: fixture.appendingPathComponent("tokenizer_config.json"), encoding: .utf8)
                .replacingOccurrences(of: #""model_max_length": 64"#, with: #""model_max_length": \#(length)"#)
            #expect(config.contains(length))
            try config.write(to: configURL, atomically: true, encoding: .utf8)
            return try SentenceEncoder(directory: folder)
        }
        let short = try withLength("20")
        #expect(short.maxLength == 20)
        #expect(short.batch([String(repeating: "word ", count: 40)]).tokens == 20)
        let unlimited = try withLength("1000000000000000019884624838656")
        #expect(unlimited.maxLength == unlimited.model.maxTokens)
        #expect { _ = try withLength("1") } throws: { "\($0)".contains("tokenizer_config.json") && "\($0)".contains("below 2") }
    }

    /// A CLIP folder is an image-text model, not a sentence encoder.
    @Test func aCLIPFolderIsNotASentenceEncoder() throws {
        let folder = try TestPaths.fixture("families/clip")
        #expect(try ModelFolderKind.of(folder) == .imageText)
        #expect(throws: ModelFileError.self) { try SentenceEncoder(directory: folder) }
    }
}
