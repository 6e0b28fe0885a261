import Foundation

/// Reads whole input files and splits them into lines, turning every failure into a
/// ``TextFileError`` that names the file (and the line, for invalid UTF-8).
public enum TextFile {
    /// Standard input as a file to read (what a command's `-` names); errors call it `<stdin>`.
    public static let standardInput = URL(fileURLWithPath: "/dev/stdin")

    /// The raw bytes of `file`; a missing file and an unreadable one are told apart.
    static func bytes(of file: URL) throws(TextFileError) -> [UInt8] {
        // A pipe has no size to read up to: read it to its end.
        if file == standardInput { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw TextFileError(file: file, .missingFile)
        }
        do {
            return [UInt8](try Data(contentsOf: file))
        } catch {
            throw TextFileError(file: file, .unreadable(String(describing: error)))
        }
    }

    /// The lines of `file` as validated strings with their 1-based numbers.
    ///
    /// Lines end at `\n`; a `\r` before it is dropped so CRLF files read the same. A final line
    /// without `\n` counts; the empty "line" after a final `\n` does not.
    public static func lines(of file: URL) throws(TextFileError) -> [(number: Int, text: String)] {
        let bytes = try bytes(of: file)
        var lines: [(number: Int, text: String)] = []
        var start = 0
        var number = 0
        while start < bytes.count {
            number += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var contentEnd = end
            if contentEnd > start, bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            lines.append((number, try string(bytes[start..<contentEnd], file: file, line: number)))
            start = end + 1
        }
        return lines
    }

    /// Decodes UTF-8 `bytes`, throwing (with the location) instead of repairing invalid input.
    static func string(
        _ bytes: ArraySlice<UInt8>, file: URL, line: Int
    ) throws(TextFileError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TextFileError(file: file, line: line, .invalidUTF8)
        }
        return text
    }
}
