import Foundation

/// Files of sentence pairs, two columns `sent0`, `sent1` (SimCSE's format for positive pairs).
public enum PairFile {
    /// Reads the pairs of `file`, tab- or comma-separated (by default guessed from the
    /// extension: `.csv` is CSV with RFC 4180 quoting, anything else TSV). A first row
    /// `sent0, sent1` is a header and skipped; empty lines are skipped and counted.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: not 2 columns, malformed CSV quoting,
    ///   invalid UTF-8.
    public static func read(_ file: URL, format: DelimitedFormat? = nil) throws(TextFileError) -> ParsedDataset<SentencePair> {
        try DelimitedFile.parse(
            file, format: format ?? .guessed(from: file), skippingHeader: { $0 == ["sent0", "sent1"] }
        ) { record throws(TextFileError) in
            let fields = try RecordFields(record, in: file, columns: 2)
            return SentencePair(fields.text(1), fields.text(2))
        }
    }
}
