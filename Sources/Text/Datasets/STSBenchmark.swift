import Foundation

/// The STS Benchmark (SemEval 2017 Task 1): sentence pairs scored 0-5 for semantic similarity.
public enum STSBenchmark {
    /// Reads an STS-B file (`sts-train.csv`, `sts-dev.csv`, `sts-test.csv`).
    ///
    /// The files are tab-separated without quoting: genre, file, year, id, score, sentence 1,
    /// sentence 2. Some rows carry extra trailing columns (source notes), which are ignored.
    /// Empty lines are skipped and counted.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: fewer than 7 columns, a score that is
    ///   not a number in 0...5, invalid UTF-8.
    public static func read(_ file: URL) throws(TextFileError) -> ParsedDataset<ScoredPair> {
        try DelimitedFile.parse(file, format: .tsv) { record throws(TextFileError) in
            let fields = try RecordFields(record, in: file, columns: 7, allowingExtra: true)
            return ScoredPair(fields.text(6), fields.text(7), score: try fields.number(5, in: 0...5))
        }
    }
}
