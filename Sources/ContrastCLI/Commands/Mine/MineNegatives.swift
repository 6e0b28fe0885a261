import ArgumentParser
import Evaluation
import Foundation
import Models
import Tensors
import Text

/// `contrast mine-negatives`: hard negatives for (anchor, positive) pairs, written as n-tuples
/// that `contrast train simcse --triplets` trains on.
struct MineNegatives: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine-negatives",
        abstract: "Mine hard negatives for (anchor, positive) pairs from a corpus and write (anchor, positive, negative_1..n) tuples.",
        discussion: """
            As sentence-transformers' mine_hard_negatives (n-tuple output): each distinct anchor ranks the corpus (and every \
            positive) by cosine similarity; its own text and its positives are dropped, then candidates within --absolute-margin \
            of its lowest positive score, within --relative-margin of it (a fraction of its magnitude), above --max-score or below \
            --min-score; of the ranks --range-min to --range-max left, --sampling top takes the closest --negatives, random draws \
            them (seeded). --absolute-margin 0 drops every candidate scored above the positive. Pairs whose anchor found too few \
            negatives are left out. The output (.csv or .tsv) has the header anchor, positive, negative_1, ..., negative_N.
            """)

    @OptionGroup var encoderOptions: SentenceEncoderOptions
    @Option(help: "(anchor, positive) pairs: a TSV or CSV file (sent0, sent1), or a retrieval folder whose --split gives (query, relevant document) pairs.")
    var pairs: String
    @Option(help: "The split of a --pairs retrieval folder.") var split = "train"
    @Option(help: "Candidate negatives, one per line (default: a --pairs folder's documents, otherwise the positives alone).") var corpus: String?
    @Option(help: "Where the tuples go: .csv or .tsv.") var output: String
    @Option(help: "Hard negatives per tuple.") var negatives = 3
    @Option(name: .customLong("range-min"), help: "Ranks skipped at the top of each anchor's filtered candidates.") var rangeMin = 0
    @Option(name: .customLong("range-max"), help: "Deepest rank a negative comes from (default: range-min + negatives + most positives of an anchor; 10 x negatives with a margin or --max-score).")
    var rangeMax: Int?
    @Option(name: .customLong("absolute-margin"), help: "Drop candidates scoring above the positive's score minus this (default: none).") var absoluteMargin: Float?
    @Option(name: .customLong("relative-margin"), help: "Drop candidates scoring above the positive's score minus this fraction of its magnitude (default: none).")
    var relativeMargin: Float?
    @Option(name: .customLong("max-score"), help: "Drop candidates scoring above this (default: none).") var maxScore: Float?
    @Option(name: .customLong("min-score"), help: "Drop candidates scoring below this (default: none).") var minScore: Float?
    @Option(help: "How negatives are taken from the candidates left: top or random.") var sampling: HardNegativeMining.Sampling = .top
    @Option(help: "Random seed of --sampling random.") var seed: UInt64 = 42
    @Option(help: "Precision of matrix products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    var mining: HardNegativeMining {
        HardNegativeMining(negatives: negatives, rangeMin: rangeMin, rangeMax: rangeMax, absoluteMargin: absoluteMargin, relativeMargin: relativeMargin,
                           maxScore: maxScore, minScore: minScore, sampling: sampling, seed: seed, batchSize: encoderOptions.batchSize)
    }

    var format: DelimitedFormat? {
        switch URL(fileURLWithPath: output).pathExtension.lowercased() {
        case "csv": .csv
        case "tsv": .tsv
        default: nil
        }
    }

    func validate() throws {
        guard format != nil else { throw ValidationError("--output must end in .csv or .tsv, got '\(output)'") }
        if let problem = mining.problems.first { throw ValidationError("--" + problem) }
        for (flag, value) in [("absolute-margin", absoluteMargin), ("relative-margin", relativeMargin), ("max-score", maxScore), ("min-score", minScore)] {
            if let value, !value.isFinite { throw ValidationError("--\(flag) must be a finite number") }
        }
    }

    func run() throws {
        try withMatmulPrecision(precision) { try mineAndWrite() }
    }

    private func mineAndWrite() throws {
        let outputFile = URL(fileURLWithPath: output)
        try OutputFile.checkFolder(of: outputFile)
        let (pairs, folderDocuments) = try readPairs()
        guard !pairs.isEmpty else { throw CLIError.data("\(self.pairs): no pairs") }
        let sentences = try corpus.map { try PlainCorpus.read(URL(fileURLWithPath: $0)).examples } ?? folderDocuments
        let encoder = try encoderOptions.load()

        // The bar starts with the first report, which says how many distinct texts there are.
        var bar: ProgressBar?
        let outcome = try mining.mine(pairs: pairs, corpus: sentences, progress: { [quiet] done, total in
            bar = bar ?? ProgressBar(total: total, label: "mine negatives", unit: "texts", quiet: quiet)
            bar?.update(done: done)
        }, encoderOptions.embed(encoder))
        bar?.finish()
        let header = ["anchor", "positive"] + (1...negatives).map { "negative_\($0)" }
        try DelimitedFile.write([header] + outcome.tuples.map { [$0.anchor, $0.positive] + $0.negatives }, to: outputFile, format: format!)

        let positiveMean = mean(outcome.scores.map { $0[0] }), negativeMean = mean(outcome.scores.flatMap { $0.dropFirst() })
        if !quiet {
            Report.info("\(outcome.anchors) anchors searched \(outcome.documents) documents; negatives from ranks \(rangeMin)..<\(outcome.rangeMax) after the filters")
            if !outcome.tuples.isEmpty {
                Report.info("mean cosine: positives \(Format.fixed(positiveMean, 4)), negatives \(Format.fixed(negativeMean, 4))")
            }
            for (filter, count) in outcome.skipped.sorted(by: { $0.key < $1.key }) {
                Report.info("\(filter) dropped \(count) of \(outcome.candidates) candidates (\(Format.fixed(100 * Double(count) / Double(outcome.candidates), 2))%)")
            }
            let missing = outcome.pairs - outcome.tuples.count
            if missing > 0 { Report.info("\(missing) of \(outcome.pairs) pairs left out: their anchor found fewer than \(negatives) negatives (loosen --range-max or the filters)") }
        }
        Report.result(json: json, "wrote \(outcome.tuples.count) tuples of \(negatives) negatives (of \(outcome.pairs) pairs) to \(outputFile.path)")
        if json {
            struct Summary: Encodable {
                let tuples, pairs, anchors, documents, negatives, range_max: Int
                let skipped: [String: Int]
                let positive_mean, negative_mean: Double?
                let output: String
            }
            try Report.json(Summary(tuples: outcome.tuples.count, pairs: outcome.pairs, anchors: outcome.anchors, documents: outcome.documents,
                                    negatives: negatives, range_max: outcome.rangeMax, skipped: outcome.skipped,
                                    positive_mean: outcome.tuples.isEmpty ? nil : positiveMean,
                                    negative_mean: outcome.tuples.isEmpty ? nil : negativeMean, output: outputFile.path))
        }
    }

    /// The pairs of `--pairs`, with the documents of a retrieval folder (empty for a file).
    private func readPairs() throws -> (pairs: [SentencePair], documents: [String]) {
        let url = URL(fileURLWithPath: pairs)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            return (try PairFile.read(url).examples, [])
        }
        let dataset = try RetrievalDataset.read(folder: url, split: split)
        return (dataset.relevantPairs.map { SentencePair($0.query.text, $0.document.contents) }, dataset.documents.map(\.contents))
    }

    private func mean(_ values: [Float]) -> Double { values.isEmpty ? 0 : values.reduce(0.0) { $0 + Double($1) } / Double(values.count) }
}

extension HardNegativeMining.Sampling: ExpressibleByArgument {}
