import Foundation

/// CSV files of triplets with a header naming `sent0`, `sent1` and `hard_neg`, like the NLI file
/// supervised SimCSE trains on.
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
        let records = try DelimitedFile.records(of: file, format: .csv)
        guard let headerIndex = records.firstIndex(where: { !$0.isBlank }) else {
            throw TextFileError(file: file, .invalidHeader("the file is empty"))
        }
        let header = records[headerIndex]
        var columns: [Int] = []
        for name in columnNames {
            guard let index = header.fields.firstIndex(of: name) else {
                throw TextFileError(file: file, line: header.line, .invalidHeader("no \(name) column"))
            }
            columns.append(index + 1)
        }
        var triplets = try DelimitedFile.parse(records[(headerIndex + 1)...]) { record throws(TextFileError) in
            let fields = try RecordFields(record, in: file, columns: header.fields.count)
            return SentenceTriplet(
                anchor: fields.text(columns[0]), positive: fields.text(columns[1]), hardNegative: fields.text(columns[2]))
        }
        triplets.skippedEmptyLines += headerIndex  // blank lines above the header
        return triplets
    }
}
