import Foundation
import Text

/// A problem in a paraphrase file, located by file and line; its `description` is one line,
/// `path:line: problem`, in the style of `Text`'s ``TextFileError``.
///
/// ```swift
/// do { _ = try ParaphraseFile.read(url) } catch { print(error) }  // data/bt.tsv:3: the sentence is empty
/// ```
public struct ParaphraseFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Equatable, Sendable {
        /// A problem `Text`'s readers also report (missing file, invalid UTF-8, invalid JSON, a
        /// missing key, a wrong type, too few columns), worded as they word it.
        case file(TextFileError.Problem)
        /// The sentence (first column, or `text`) is empty.
        case emptySentence
        /// The line gives no paraphrase.
        case noParaphrases
        /// Paraphrase number `index` (1-based) is empty.
        case emptyParaphrase(index: Int)
    }

    /// The file's path as given by the caller.
    public let file: String
    /// The 1-based line number, when the problem is on one line.
    public let line: Int?
    /// What is wrong.
    public let problem: Problem

    /// Creates an error for `file` (and `line`, when known).
    public init(file: URL, line: Int? = nil, _ problem: Problem) {
        self.file = file.path
        self.line = line
        self.problem = problem
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        switch problem {
        case .file(let problem):
            // Text's wording, without re-implementing it.
            return TextFileError(file: URL(fileURLWithPath: file), line: line, problem).description
        case .emptySentence: return "\(place): the sentence is empty"
        case .noParaphrases: return "\(place): no paraphrase follows the sentence"
        case .emptyParaphrase(let index): return "\(place): paraphrase \(index) is empty"
        }
    }
}
