import ArgumentParser
import Evaluation
import Foundation
import Text
import Models
import Tensors

/// `contrast eval sts`: Spearman and Pearson correlation of cosine similarities with gold scores.
struct EvalSTS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sts",
        abstract: "Semantic textual similarity: Spearman and Pearson (x100) of cosine similarity against gold scores.",
        discussion: "STS-B files: tab-separated, score and sentences in columns 5-7 (extra columns ignored). SICK: pair id, sentence A, sentence B, relatedness, label. Also reports alignment (pairs scored above 4) and uniformity.")

    @OptionGroup var encoderOptions: SentenceEncoderOptions
    @Option(help: "STS file.") var data: String
    @Option(help: "File format: stsb or sick (default: guessed from the file name).") var format: STSFileFormat?
    @Option(help: "Precision of matrix products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Option(name: .customLong("truncate-dim"), help: "Evaluate the embeddings' first N dimensions (default: all).") var truncateDim: Int?
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        if let truncateDim, truncateDim < 1 { throw ValidationError("--truncate-dim must be at least 1") }
    }

    func run() throws {
        try withMatmulPrecision(precision) { try evaluateAndReport() }
    }

    private func evaluateAndReport() throws {
        let encoder = try encoderOptions.load()
        try encoder.truncate(to: truncateDim)
        let evaluator = try STSEvaluator(reading: URL(fileURLWithPath: data), format: format)
        let bar = ProgressBar(total: evaluator.distinct.sentences.count, label: "eval sts", unit: "sentences", quiet: quiet)
        let result = try evaluator.run(encoderOptions.embed(encoder), progress: { done, _ in bar.update(done: done) })
        bar.finish()
        Report.result(json: json, "\(data): Spearman \(Format.fixed(result.spearman, 2)), Pearson \(Format.fixed(result.pearson, 2)) over \(result.pairs) pairs"
            + (result.alignment.map { ", alignment \(Format.fixed($0, 4))" } ?? "") + (result.uniformity.map { ", uniformity \(Format.fixed($0, 4))" } ?? ""))
        if json {
            struct Output: Encodable { let spearman, pearson: Double; let pairs: Int; let alignment, uniformity: Double?; let pooling: String }
            try Report.json(Output(spearman: result.spearman, pearson: result.pearson, pairs: result.pairs, alignment: result.alignment,
                                   uniformity: result.uniformity, pooling: encoder.pooling.mode.rawValue))
        }
    }
}
