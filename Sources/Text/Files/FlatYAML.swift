import Foundation

/// The YAML of a flat settings file (`--config run.yaml`): one `key: value` per line, `#` comments, `---` at the
/// top, quoted or plain scalars (YAML's null and boolean spellings read as `none`, `true`,
/// `false`). Nesting, lists and multi-line values are refused, not misread.
public enum FlatYAML {
    /// The file's values as text, each with its line number.
    /// - Throws: ``TextFileError`` naming the file (and the line) when it cannot be read or is
    ///   not flat YAML.
    public static func read(_ url: URL) throws -> [String: (value: String, line: Int)] {
        try parse(TextFile.lines(of: url), file: url)
    }

    /// The values of a file's lines (``TextFile/lines(of:)``).
    private static func parse(_ lines: [(number: Int, text: String)], file: URL) throws -> [String: (value: String, line: Int)] {
        var result: [String: (value: String, line: Int)] = [:]
        for (number, text) in lines {
            func fail(_ message: String) -> TextFileError { TextFileError(file: file, line: number, .invalidRecord(message)) }
            let line = try withoutComment(text, fail)
            if line.allSatisfy(\.isWhitespace) || result.isEmpty && line == "---" { continue }
            if line.first!.isWhitespace { throw fail("nested values are not supported (settings are flat key: value lines)") }
            guard let colon = line.firstIndex(of: ":"), line[line.index(after: colon)...].first.map({ $0 == " " }) ?? true else {
                throw fail("expected 'key: value'")
            }
            let key = String(line[..<colon]), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { throw fail("invalid key '\(key)'") }
            guard result[key] == nil else { throw fail("duplicate key '\(key)'") }
            guard !value.isEmpty else { throw fail("missing value (nested values are not supported)") }
            result[key] = (try scalar(value, fail), number)
        }
        return result
    }

    /// The line without a `#` comment outside quotes (and the spaces before it).
    private static func withoutComment(_ line: String, _ fail: (String) -> TextFileError) throws -> String {
        var quote: Character?, previous: Character = " "
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && previous.isWhitespace {
                return String(String(line.prefix(offset)).reversed().drop(while: \.isWhitespace).reversed())
            }
            previous = c
        }
        if quote != nil { throw fail("unterminated quoted string") }
        return line
    }

    private static func scalar(_ value: String, _ fail: (String) -> TextFileError) throws -> String {
        if let first = value.first, first == "\"" || first == "'" {
            guard value.count >= 2, value.last == first else { throw fail("text after a quoted string") }
            let inner = String(value.dropFirst().dropLast())
            return first == "'" ? inner.replacingOccurrences(of: "''", with: "'")
                                : inner.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        if ["[", "{", "|", ">", "&", "*", "!", "-"].contains(where: { value.hasPrefix($0) }) && Double(value) == nil {
            throw fail("lists, mappings, block scalars, anchors and tags are not supported")
        }
        switch value {
        case "null", "Null", "NULL", "~": return "none"
        case "True", "TRUE": return "true"
        case "False", "FALSE": return "false"
        default: return value
        }
    }
}
