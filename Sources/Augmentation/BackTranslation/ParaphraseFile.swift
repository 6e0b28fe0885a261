import Foundation
import Text

/// Files of sentences with paraphrases produced offline by any translator (CERT's
/// back-translations), one sentence per line, in one of two formats:
/// - TSV: `sentence<TAB>paraphrase 1<TAB>paraphrase 2...`, quotes being ordinary characters;
/// - JSONL: `{"text": "sentence", "paraphrases": ["paraphrase 1", ...]}`, other keys ignored.
///
/// ```swift
/// let pairs = try ParaphraseFile.read(URL(fileURLWithPath: "bt.jsonl"))
/// print(pairs.examples.count, pairs.skippedEmptyLines)
/// ```
public enum ParaphraseFile {
    /// The two line formats.
    public enum Format: Sendable, Equatable {
        /// Tab-separated columns.
        case tsv
        /// One JSON object per line.
        case jsonl

        /// `.jsonl` for a `.jsonl` or `.ndjson` extension, `.tsv` otherwise.
        public static func guessed(from file: URL) -> Format {
            ["jsonl", "ndjson"].contains(file.pathExtension.lowercased()) ? .jsonl : .tsv
        }
    }

    /// Reads `file` in `format` (guessed from the extension by default). Lines that are empty or
    /// only whitespace are skipped and counted; every sentence needs at least one paraphrase, and
    /// none may be empty (an empty field is a translator failure worth seeing).
    ///
    /// - Throws: ``TextFileError`` naming the file and line.
    public static func read(_ file: URL, format: Format? = nil) throws(TextFileError) -> ParsedDataset<ParaphrasedSentence> {
        let format = format ?? .guessed(from: file)
        var examples: [ParaphrasedSentence] = []
        var blank = 0
        for line in try TextFile.lines(of: file) {
            if line.text.allSatisfy(\.isWhitespace) {
                blank += 1
                continue
            }
            let fields = switch format {
            case .tsv: tsvFields(line.text)
            case .jsonl: try jsonFields(line.text, file: file, line: line.number)
            }
            examples.append(try validated(fields, file: file, line: line.number))
        }
        return ParsedDataset(examples: examples, skippedEmptyLines: blank)
    }

    /// The reasons a record is rejected (an empty field is a translator failure worth seeing).
    static let emptySentence = "the sentence is empty"
    static let noParaphrases = "no paraphrase follows the sentence"
    static func emptyParaphrase(_ number: Int) -> String { "paraphrase \(number) is empty" }

    private static func tsvFields(_ text: String) -> ParaphrasedSentence {
        let columns = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return ParaphrasedSentence(columns[0], paraphrases: Array(columns.dropFirst()))
    }

    private static func jsonFields(_ text: String, file: URL, line: Int) throws(TextFileError) -> ParaphrasedSentence {
        let object = try JSONLines.object(text, file: file, line: line)
        guard let sentence = try JSONLines.string("text", in: object, file: file, line: line) else {
            throw TextFileError(file: file, line: line, .missingKey("text"))
        }
        guard let paraphrases = try JSONLines.strings("paraphrases", in: object, file: file, line: line) else {
            throw TextFileError(file: file, line: line, .missingKey("paraphrases"))
        }
        return ParaphrasedSentence(sentence, paraphrases: paraphrases)
    }

    /// `example` if its sentence and paraphrases are all present and non-empty.
    private static func validated(_ example: ParaphrasedSentence, file: URL, line: Int) throws(TextFileError) -> ParaphrasedSentence {
        func isEmpty(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }
        func failure(_ reason: String) -> TextFileError { TextFileError(file: file, line: line, .invalidRecord(reason)) }
        guard !isEmpty(example.sentence) else { throw failure(ParaphraseFile.emptySentence) }
        guard !example.paraphrases.isEmpty else { throw failure(ParaphraseFile.noParaphrases) }
        if let index = example.paraphrases.firstIndex(where: isEmpty) { throw failure(ParaphraseFile.emptyParaphrase(index + 1)) }
        return example
    }
}
