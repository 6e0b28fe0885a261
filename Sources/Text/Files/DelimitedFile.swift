import Foundation

/// One record of a delimited file: its fields and the line it starts on.
public struct DelimitedRecord: Sendable {
    /// The 1-based line number where the record starts (CSV records may span lines).
    public var line: Int
    /// The fields, unquoted.
    public var fields: [String]

    /// Whether the record came from an empty line (a single empty field).
    public var isBlank: Bool { fields.count == 1 && fields[0].isEmpty }
}

/// The two delimited formats the dataset readers accept.
public enum DelimitedFormat: Sendable {
    /// Tab-separated, without quoting: quotes are ordinary characters (as in STS-B and SICK).
    case tsv
    /// Comma-separated with RFC 4180 quoting: quoted fields may hold commas, line breaks and
    /// doubled quotes (`""`).
    case csv

    /// `.csv` for a `.csv` extension, `.tsv` otherwise.
    public static func guessed(from file: URL) -> DelimitedFormat {
        file.pathExtension.lowercased() == "csv" ? .csv : .tsv
    }
}

/// Splits files into ``DelimitedRecord``s.
public enum DelimitedFile {
    /// The records of `file` in `format`, blank lines included (see ``DelimitedRecord/isBlank``).
    ///
    /// - Throws: ``TextFileError`` naming the file (and line): missing, unreadable, invalid
    ///   UTF-8, malformed CSV quoting.
    public static func records(of file: URL, format: DelimitedFormat) throws(TextFileError) -> [DelimitedRecord] {
        switch format {
        case .tsv:
            try TextFile.lines(of: file).map { line in
                let fields = line.text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                return DelimitedRecord(line: line.number, fields: fields)
            }
        case .csv:
            try csvRecords(TextFile.bytes(of: file), file: file)
        }
    }

    /// Writes `rows` to `file` in `format` (atomically), one record per row: CSV quotes a field
    /// holding a comma, a quote or a line break (doubling its quotes), as ``records(of:format:)``
    /// reads it back.
    ///
    /// - Throws: ``TextFileError`` naming the file: a TSV field holding a tab or a line break
    ///   (which TSV cannot hold), with the 1-based row; Foundation's error when the file cannot be
    ///   written.
    public static func write(_ rows: [[String]], to file: URL, format: DelimitedFormat) throws {
        var text = ""
        for (index, row) in rows.enumerated() {
            let fields = try row.map { field throws(TextFileError) -> String in
                switch format {
                case .tsv:
                    guard !field.contains(where: { $0 == "\t" || $0.isNewline }) else {
                        throw TextFileError(file: file, line: index + 1, .invalidRecord("a field holds a tab or a line break, which TSV cannot hold (write CSV)"))
                    }
                    return field
                case .csv:
                    guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
                    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                }
            }
            text += fields.joined(separator: format == .tsv ? "\t" : ",") + "\n"
        }
        try Data(text.utf8).write(to: file, options: .atomic)
    }

    /// RFC 4180 parsing over bytes: all structural characters are ASCII, so working on UTF-8
    /// bytes is safe, and each field is validated as UTF-8 once complete.
    private static func csvRecords(_ bytes: [UInt8], file: URL) throws(TextFileError) -> [DelimitedRecord] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"),
            carriageReturn = UInt8(ascii: "\r")
        var records: [DelimitedRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var index = 0

        func finishField() throws(TextFileError) {
            fields.append(try TextFile.string(field[...], file: file, line: recordLine))
            field.removeAll(keepingCapacity: true)
        }
        func finishRecord() throws(TextFileError) {
            try finishField()
            records.append(DelimitedRecord(line: recordLine, fields: fields))
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote && field.isEmpty {
                // A quoted field: runs to the next quote not doubled, newlines included.
                let quoteLine = line
                index += 1
                while true {
                    guard index < bytes.count else {
                        throw TextFileError(file: file, line: quoteLine, .malformedCSV("unterminated quoted field"))
                    }
                    let inner = bytes[index]
                    if inner == quote {
                        if index + 1 < bytes.count, bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    if inner == newline { line += 1 }
                    field.append(inner)
                    index += 1
                }
                // After the closing quote only a separator, a line end or the file end may follow.
                if index < bytes.count, ![comma, newline, carriageReturn].contains(bytes[index]) {
                    throw TextFileError(file: file, line: line, .malformedCSV("text after a closing quote"))
                }
                continue
            }
            switch byte {
            case comma:
                try finishField()
            case newline:
                try finishRecord()
                line += 1
                recordLine = line
            case carriageReturn where index + 1 < bytes.count && bytes[index + 1] == newline:
                break  // the \n that follows ends the record
            default:
                field.append(byte)
            }
            index += 1
        }
        if !field.isEmpty || !fields.isEmpty { try finishRecord() }
        return records
    }
}
