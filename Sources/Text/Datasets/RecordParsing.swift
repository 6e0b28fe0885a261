import Foundation

/// Column checks and conversions shared by the dataset readers; every failure names the file,
/// the record's line and the 1-based column.
struct RecordFields {
    let record: DelimitedRecord
    let file: URL

    /// Checks the column count: exactly `count`, or at least `count` when `allowingExtra`.
    init(_ record: DelimitedRecord, in file: URL, columns count: Int, allowingExtra: Bool = false) throws(TextFileError) {
        let found = record.fields.count
        guard found == count || (allowingExtra && found > count) else {
            throw TextFileError(
                file: file, line: record.line,
                .wrongColumnCount(expected: allowingExtra ? "at least \(count)" : "\(count)", found: found))
        }
        self.record = record
        self.file = file
    }

    /// The text of 1-based `column`.
    func text(_ column: Int) -> String { record.fields[column - 1] }

    /// Column `column` as a finite number within `range` (surrounding spaces allowed).
    func number(_ column: Int, in range: ClosedRange<Double>) throws(TextFileError) -> Double {
        let text = text(column)
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw TextFileError(file: file, line: record.line, .invalidNumber(column: column, text: text))
        }
        guard range.contains(value) else {
            throw TextFileError(file: file, line: record.line, .outOfRange(column: column, value: value, range: range))
        }
        return value
    }

    /// Column `column` as an integer.
    func integer(_ column: Int) throws(TextFileError) -> Int {
        let text = text(column)
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw TextFileError(file: file, line: record.line, .invalidNumber(column: column, text: text))
        }
        return value
    }
}

extension DelimitedFile {
    /// Parses every non-blank record of `file` with `parse`, counting the blank ones; a first
    /// record for which `isHeader` holds is skipped.
    static func parse<Example: Sendable>(
        _ file: URL, format: DelimitedFormat, skippingHeader isHeader: ([String]) -> Bool = { _ in false },
        _ parse: (DelimitedRecord) throws(TextFileError) -> Example
    ) throws(TextFileError) -> ParsedDataset<Example> {
        var records = try Self.records(of: file, format: format)[...]
        if let first = records.first, isHeader(first.fields) { records = records.dropFirst() }
        return try Self.parse(records, parse)
    }

    /// Parses every non-blank record of `records` with `parse`, counting the blank ones.
    static func parse<Example: Sendable>(
        _ records: ArraySlice<DelimitedRecord>, _ parse: (DelimitedRecord) throws(TextFileError) -> Example
    ) throws(TextFileError) -> ParsedDataset<Example> {
        var examples: [Example] = []
        examples.reserveCapacity(records.count)
        var blank = 0
        for record in records {
            if record.isBlank {
                blank += 1
            } else {
                examples.append(try parse(record))
            }
        }
        return ParsedDataset(examples: examples, skippedEmptyLines: blank)
    }
}
