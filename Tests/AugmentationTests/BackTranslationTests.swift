import Augmentation
import Foundation
import Tensors
import TestSupport
import Testing
import Text

/// The paraphrase file reader (TSV and JSONL) and the back-translation sampler.
@Suite struct BackTranslationTests {
    let expected = [
        ParaphrasedSentence("The cat sleeps on the mat.", paraphrases: ["The cat is sleeping on the mat.", "On the mat, the cat sleeps."]),
        ParaphrasedSentence("A storm closed the harbour.", paraphrases: ["The harbour was closed by a storm."]),
        ParaphrasedSentence("She plays the cello every morning.", paraphrases: [
            "Every morning she plays the cello.", "She practises cello each morning.", "Each morning, she plays cello."]),
    ]

    /// The error reading `text` as `name` throws, checked to be one line starting `path:line:`.
    func readError(_ text: String, named name: String, line: Int?) throws -> TextFileError.Problem? {
        let file = try TestPaths.write(text, named: name)
        do {
            _ = try ParaphraseFile.read(file)
            Issue.record("expected an error for \(text)")
            return nil
        } catch {
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasPrefix(file.path + (line.map { ":\($0): " } ?? ": ")), "\(error)")
            #expect(error.line == line)
            return error.problem
        }
    }

    @Test func readsBothFormats() throws {
        let tsv = try ParaphraseFile.read(Sample.fixture("paraphrases.tsv"))
        #expect(tsv == ParsedDataset(examples: expected, skippedEmptyLines: 2))
        let jsonl = try ParaphraseFile.read(Sample.fixture("paraphrases.jsonl"))
        #expect(jsonl == ParsedDataset(examples: expected, skippedEmptyLines: 1))
        // The format can be forced whatever the extension; CRLF reads the same.
        let crlf = try TestPaths.write("a b\tb a\r\n", named: "pairs.txt")
        #expect(try ParaphraseFile.read(crlf, format: .tsv).examples == [ParaphrasedSentence("a b", paraphrases: ["b a"])])
    }

    @Test func tsvErrorsNameFileAndLine() throws {
        #expect(try readError("a\tb\nlonely\n", named: "x.tsv", line: 2) == .invalidRecord("no paraphrase follows the sentence"))
        #expect(try readError("\tb\n", named: "x.tsv", line: 1) == .invalidRecord("the sentence is empty"))
        #expect(try readError("a\tb\t\n", named: "x.tsv", line: 1) == .invalidRecord("paraphrase 2 is empty"))
        let invalid = try TestPaths.write([0x61, 0x09, 0x62, 0x0A, 0xFF, 0x0A], named: "bad.tsv")
        #expect(throws: TextFileError(file: invalid, line: 2, .invalidUTF8)) { try ParaphraseFile.read(invalid) }
        let missing = URL(fileURLWithPath: "/nonexistent/bt.tsv")
        #expect(throws: TextFileError(file: missing, .missingFile)) { try ParaphraseFile.read(missing) }
        #expect(TextFileError(file: missing, .missingFile).description == "/nonexistent/bt.tsv: no such file")
    }

    @Test func jsonlErrorsNameFileAndLine() throws {
        let good = #"{"text": "a", "paraphrases": ["b"]}"# + "\n"
        #expect(try readError(good + "{\"text\": \n", named: "x.jsonl", line: 2).map {
            if case .invalidJSON = $0 { true } else { false }
        } == true)
        #expect(try readError(good + "[1]\n", named: "x.jsonl", line: 2) == .wrongType(path: "the line", expected: "an object"))
        #expect(try readError(#"{"paraphrases": ["b"]}"#, named: "x.jsonl", line: 1) == .missingKey("text"))
        #expect(try readError(#"{"text": 3, "paraphrases": ["b"]}"#, named: "x.jsonl", line: 1)
                == .wrongType(path: "text", expected: "a string"))
        #expect(try readError(#"{"text": "a"}"#, named: "x.jsonl", line: 1) == .missingKey("paraphrases"))
        #expect(try readError(#"{"text": "a", "paraphrases": ["b", 2]}"#, named: "x.jsonl", line: 1)
                == .wrongType(path: "paraphrases[1]", expected: "a string"))
        #expect(try readError(#"{"text": "a", "paraphrases": []}"#, named: "x.jsonl", line: 1) == .invalidRecord("no paraphrase follows the sentence"))
    }

    @Test func samplerPicksEveryParaphraseReproducibly() throws {
        let backTranslation = BackTranslation(expected)
        let sentence = expected[2].sentence
        var seen = Set<String>()
        for seed in 0..<40 as Range<UInt64> {
            var generator = RandomGenerator(seed: seed), again = RandomGenerator(seed: seed)
            let view = backTranslation.view(of: sentence, generator: &generator)
            #expect(view == backTranslation.view(of: sentence, generator: &again))
            seen.insert(view)
        }
        #expect(seen == Set(expected[2].paraphrases))
        var generator = RandomGenerator(seed: 0)
        #expect(backTranslation.view(of: "Unknown sentence.", generator: &generator) == "Unknown sentence.")
        #expect(generator == RandomGenerator(seed: 0))
    }

    @Test func repeatedSentencesMergeTheirParaphrases() {
        let merged = BackTranslation([ParaphrasedSentence("a", paraphrases: ["b"]), ParaphrasedSentence("a", paraphrases: ["c"])])
        #expect(merged.paraphrases == ["a": ["b", "c"]])
    }
}
