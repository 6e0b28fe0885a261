import Foundation

/// A problem found while reading an input file of the `Text` module (a vocabulary, a
/// `tokenizer.json`, a dataset), located by file and, where it applies, line number.
///
/// Its `description` is a single line, `path:line: problem`, so command-line tools can print it
/// as is and editors can jump to the place.
public struct TextFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        /// The file does not exist.
        case missingFile
        /// The file exists but could not be read (permissions, a directory, an I/O error).
        case unreadable(String)
        /// The bytes of the line are not valid UTF-8.
        case invalidUTF8
        /// A model folder holds neither `vocab.txt` nor `tokenizer.json`.
        case noTokenizerFiles
        /// The vocabulary holds no tokens.
        case emptyVocabulary
        /// The vocabulary lacks a special token the tokenizer needs (`[UNK]`, `[CLS]`, ...).
        case missingSpecialToken(String)
        /// The vocabulary is unusable for another reason (negative or duplicate ids, ...).
        case invalidVocabulary(String)
        /// The file is not valid JSON.
        case invalidJSON(String)
        /// A required JSON key is absent; the associated value is its dotted path.
        case missingKey(String)
        /// A JSON value has the wrong type; path and what was expected.
        case wrongType(path: String, expected: String)
        /// A JSON value is valid but not supported (another tokenizer model type, ...).
        case unsupported(String)
        /// A record has the wrong number of columns.
        case wrongColumnCount(expected: String, found: Int)
        /// A column that should hold a number does not.
        case invalidNumber(column: Int, text: String)
        /// A number is outside the range the format allows.
        case outOfRange(column: Int, value: Double, range: ClosedRange<Double>)
        /// A column holds a label the format does not define.
        case unknownLabel(column: Int, text: String)
        /// A header row is missing or lacks a required column.
        case invalidHeader(String)
        /// A CSV field is malformed (unterminated quote, text after a closing quote).
        case malformedCSV(String)
        /// A record is present but unusable (the reason, e.g. "the sentence is empty").
        case invalidRecord(String)
    }

    /// The file's path as given by the caller.
    public let file: String
    /// The 1-based line number, when the problem is on one line.
    public let line: Int?
    /// What is wrong.
    public let problem: Problem

    /// Creates an error for `file` (and `line`, when known).
    public init(file: URL, line: Int? = nil, _ problem: Problem) {
        self.file = file == TextFile.standardInput ? "<stdin>" : file.path
        self.line = line
        self.problem = problem
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): \(problem.message)"
    }
}

extension TextFileError.Problem {
    /// The human-readable, single-line explanation.
    var message: String {
        switch self {
        case .missingFile: "no such file"
        case .unreadable(let reason): "cannot read the file (\(reason))"
        case .invalidUTF8: "invalid UTF-8"
        case .noTokenizerFiles: "holds neither vocab.txt nor tokenizer.json"
        case .emptyVocabulary: "the vocabulary is empty"
        case .missingSpecialToken(let token): "the vocabulary has no \(token) token"
        case .invalidVocabulary(let reason): "invalid vocabulary: \(reason)"
        case .invalidJSON(let reason): "not valid JSON (\(reason))"
        case .missingKey(let path): "missing key \(path)"
        case .wrongType(let path, let expected): "\(path) should be \(expected)"
        case .unsupported(let what): "unsupported: \(what)"
        case .wrongColumnCount(let expected, let found): "expected \(expected) columns, found \(found)"
        case .invalidNumber(let column, let text): "column \(column): '\(text)' is not a number"
        case .outOfRange(let column, let value, let range):
            "column \(column): \(value) is outside \(range.lowerBound)...\(range.upperBound)"
        case .unknownLabel(let column, let text): "column \(column): unknown label '\(text)'"
        case .invalidHeader(let reason): "invalid header: \(reason)"
        case .malformedCSV(let reason): "malformed CSV: \(reason)"
        case .invalidRecord(let reason): reason
        }
    }
}
