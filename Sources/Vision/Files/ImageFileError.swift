import Foundation

/// A problem found while reading an image file (PNG, JPEG, IDX, gzip-compressed or not), or a
/// folder of them.
///
/// Its `description` is a single line, `path: problem`, so command-line tools can print it as is.
public struct ImageFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        /// The file does not exist.
        case missingFile(hint: String?)
        /// The file exists but could not be read (permissions, a directory, an I/O error).
        case unreadable(String)
        /// The file holds no bytes.
        case empty
        /// The first bytes match none of the formats the reader accepts.
        case unknownFormat(String)
        /// The file ends before the data its header announces.
        case truncated(String)
        /// The data is malformed (the decoder's own message).
        case corrupt(String)
        /// The file is valid but uses a feature the reader does not support.
        case unsupported(String)
        /// The file's contents disagree with what the caller needs (sizes, counts, labels).
        case mismatch(String)
        /// A folder does not hold what the reader needs (images, one folder per class).
        case layout(String)
    }

    /// The file's path as given by the caller.
    public let file: String
    /// What is wrong.
    public let problem: Problem

    /// Creates an error for `file`.
    public init(file: URL, _ problem: Problem) {
        self.file = file.path
        self.problem = problem
    }

    public var description: String {
        let message = switch problem {
        case .missingFile(let hint): "no such file" + (hint.map { " (\($0))" } ?? "")
        case .unreadable(let reason): "cannot read the file (\(reason))"
        case .empty: "the file is empty"
        case .unknownFormat(let what): "unknown image format (\(what))"
        case .truncated(let what): "truncated: \(what)"
        case .corrupt(let what): "corrupt: \(what)"
        case .unsupported(let what): "unsupported: \(what)"
        case .mismatch(let what), .layout(let what): what
        }
        // Decoder messages could hold line breaks; the description stays one line.
        return "\(file): " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The bytes of `file`, which must exist and not be empty.
    static func bytes(of file: URL, missingHint: String? = nil) throws(ImageFileError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw ImageFileError(file: file, .missingFile(hint: missingHint))
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: file))
        } catch {
            throw ImageFileError(file: file, .unreadable(String(describing: error)))
        }
        guard !bytes.isEmpty else { throw ImageFileError(file: file, .empty) }
        return bytes
    }
}
