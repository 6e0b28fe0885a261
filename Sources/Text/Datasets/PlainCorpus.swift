import Foundation

/// A plain-text corpus, one sentence per line (unsupervised SimCSE's Wikipedia file, for one).
public enum PlainCorpus {
    /// Reads the sentences of `file`: trailing whitespace (and a CR of CRLF files) is trimmed,
    /// empty lines are skipped and counted.
    ///
    /// - Throws: ``TextFileError`` for a missing or unreadable file, or invalid UTF-8 (with the line).
    public static func read(_ file: URL) throws(TextFileError) -> ParsedDataset<String> {
        var sentences: [String] = []
        var blank = 0
        for line in try TextFile.lines(of: file) {
            let text = line.text
            var end = text.endIndex
            while end > text.startIndex, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
            let trimmed = text[..<end]
            if trimmed.isEmpty {
                blank += 1
            } else {
                sentences.append(String(trimmed))
            }
        }
        return ParsedDataset(examples: sentences, skippedEmptyLines: blank)
    }
}
