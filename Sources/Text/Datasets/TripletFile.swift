import Foundation

/// CSV files of triplets with a header naming `sent0`, `sent1` and `hard_neg`, like the NLI file
/// supervised SimCSE trains on; and files of n-tuples with any number of hard-negative columns.
public enum TripletFile {
    /// The header names of the anchor, positive and hard-negative columns.
    public static let columnNames = ["sent0", "sent1", "hard_neg"]

    /// Reads the triplets of a CSV `file` (RFC 4180 quoting: quoted fields with commas, line
    /// breaks and doubled quotes). The header row is required; its columns may come in any order
    /// and extra columns are ignored. Empty lines are skipped and counted.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: a missing header column, a row with
    ///   another column count than the header, malformed quoting, invalid UTF-8.
    public static func read(_ file: URL) throws(TextFileError) -> ParsedDataset<SentenceTriplet> {
        try parse(file, format: .csv) { header throws(TextFileError) in
            var columns: [Int] = []
            for name in columnNames { columns.append(try header.column(name)) }
            return { fields in SentenceTriplet(anchor: fields.text(columns[0]), positive: fields.text(columns[1]), hardNegative: fields.text(columns[2])) }
        }
    }

    /// Reads n-tuples (an anchor, a positive and any number of hard negatives) from a file with a
    /// header: the anchor column is `sent0` or `anchor`, the positive `sent1` or `positive`, and
    /// every column named `hard_neg`, `hard_neg_<k>`, `negative` or `negative_<k>` is a hard
    /// negative, in header order (SimCSE's triplets and sentence-transformers' n-tuples alike).
    /// Other columns are ignored; empty lines are skipped and counted.
    ///
    /// - Parameter format: `nil`: TSV for a `.tsv` file, CSV (RFC 4180 quoting) otherwise.
    /// - Throws: ``TextFileError`` naming the file and line: no anchor, positive or hard-negative
    ///   column, a row with another column count than the header, malformed quoting, invalid UTF-8.
    public static func readTuples(_ file: URL, format: DelimitedFormat? = nil) throws(TextFileError) -> ParsedDataset<SentenceTuple> {
        try parse(file, format: format ?? (file.pathExtension.lowercased() == "tsv" ? .tsv : .csv)) { header throws(TextFileError) in
            let anchor = try header.column("sent0", "anchor"), positive = try header.column("sent1", "positive")
            let negatives = header.record.fields.indices.filter { header.record.fields[$0].wholeMatch(of: /(hard_neg|negative)(_[0-9]+)?/) != nil }
            guard !negatives.isEmpty else {
                throw header.error("no hard-negative column (hard_neg, hard_neg_1, ... or negative, negative_1, ...)")
            }
            return { fields in SentenceTuple(anchor: fields.text(anchor), positive: fields.text(positive), negatives: negatives.map { fields.text($0 + 1) }) }
        }
    }

    /// A file's header row, whose columns the rows are read by.
    private struct Header {
        let record: DelimitedRecord
        let file: URL

        /// The 1-based column of the first of `names` the header holds.
        func column(_ names: String...) throws(TextFileError) -> Int {
            guard let index = record.fields.firstIndex(where: names.contains) else { throw error("no \(names.joined(separator: " or ")) column") }
            return index + 1
        }

        func error(_ reason: String) -> TextFileError { TextFileError(file: file, line: record.line, .invalidHeader(reason)) }
    }

    /// Reads `file` in `format`: its first non-blank record is the header, from which `reader`
    /// makes the function that reads each row; every row must have the header's column count.
    private static func parse<Example: Sendable>(
        _ file: URL, format: DelimitedFormat, _ reader: (Header) throws(TextFileError) -> (RecordFields) -> Example
    ) throws(TextFileError) -> ParsedDataset<Example> {
        let records = try DelimitedFile.records(of: file, format: format)
        guard let headerIndex = records.firstIndex(where: { !$0.isBlank }) else {
            throw TextFileError(file: file, .invalidHeader("the file is empty"))
        }
        let header = Header(record: records[headerIndex], file: file)
        let row = try reader(header)
        var examples = try DelimitedFile.parse(records[(headerIndex + 1)...]) { record throws(TextFileError) in
            row(try RecordFields(record, in: file, columns: header.record.fields.count))
        }
        examples.skippedEmptyLines += headerIndex  // blank lines above the header
        return examples
    }
}
