import Foundation

/// The lines of a UTF-8 file with their 1-based numbers, CR of CRLF dropped. `Text` reads lines
/// the same way but keeps its reader internal, so the paraphrase reader needs its own.
enum TextLines {
    static func read(_ file: URL) throws(ParaphraseFileError) -> [(number: Int, text: String)] {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw ParaphraseFileError(file: file, .file(.missingFile))
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ParaphraseFileError(file: file, .file(.unreadable(String(describing: error))))
        }
        // Splitting bytes first lets invalid UTF-8 be reported with its line.
        var lines: [(number: Int, text: String)] = []
        for (index, bytes) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let content = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes
            guard let text = String(validating: content, as: UTF8.self) else {
                throw ParaphraseFileError(file: file, line: index + 1, .file(.invalidUTF8))
            }
            lines.append((index + 1, text))
        }
        // The empty "line" after a final newline is not a line.
        if data.last == UInt8(ascii: "\n") { lines.removeLast() }
        return lines
    }
}
