import ArgumentParser
import Evaluation
import Foundation
import Models
import Tensors
import Text

/// `contrast eval retrieval-text`: nDCG, MRR, MAP, recall, precision and accuracy of ranking a
/// BEIR-layout corpus for each query by cosine similarity.
struct EvalRetrievalText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval-text",
        abstract: "Text retrieval: nDCG@10, MRR@10, MAP@100, recall, precision and accuracy at k over a folder in the BEIR layout.",
        discussion: """
            The folder holds corpus.jsonl ({"_id", "title", "text"} per line; a document is its title and text joined), \
            queries.jsonl ({"_id", "text"}) and qrels/SPLIT.tsv (header query-id, corpus-id, score; a score above 0 is \
            relevant, higher more relevant in nDCG). Each query with a relevant document ranks the whole corpus by cosine \
            similarity, equal scores by document id, with the definitions of sentence-transformers' InformationRetrievalEvaluator. \
            --precision int8 or binary searches quantised document embeddings (int8 ranges calibrated on the documents; binary \
            by Hamming distance), rescoring top-k x --rescore-multiplier candidates with the float32 query, and reports the \
            exact float32 search's metrics beside, the memory per vector and recall@10 against exact search (the share of its \
            top 10 found); so does --index hnsw.
            """)

    @OptionGroup var encoderOptions: SentenceEncoderOptions
    @Option(help: "Retrieval folder (corpus.jsonl, queries.jsonl, qrels/).") var data: String
    @Option(help: "Which qrels/SPLIT.tsv to evaluate.") var split = "test"
    @Option(help: "\(ComputeOrStorePrecision.help)") var precision: ComputeOrStorePrecision = .fp32
    @Option(name: .customLong("rescore-multiplier"), help: "With int8 or binary: rescore k times this many candidates with the float32 query.")
    var rescoreMultiplier = 2
    @Option(help: "\(SearchIndex.help)") var index: SearchIndex = .exact
    @Option(name: .customLong("truncate-dim"), help: "Evaluate the embeddings' first N dimensions (default: all).") var truncateDim: Int?
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard rescoreMultiplier > 0 else { throw ValidationError("--rescore-multiplier must be at least 1") }
        if let truncateDim, truncateDim < 1 { throw ValidationError("--truncate-dim must be at least 1") }
    }

    func run() throws {
        try withMatmulPrecision(precision.products) { try evaluateAndReport() }
    }

    private func evaluateAndReport() throws {
        let folder = URL(fileURLWithPath: data)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw CLIError.data("\(folder.path): not a folder (give a folder with corpus.jsonl, queries.jsonl and qrels/)")
        }
        // The data first: its errors come before the model's load.
        var evaluator = try InformationRetrievalEvaluator(reading: folder, split: split)
        evaluator.batchSize = encoderOptions.batchSize
        let encoder = try encoderOptions.load()
        try encoder.truncate(to: truncateDim)
        let bar = ProgressBar(total: evaluator.distinct.sentences.count, label: "eval retrieval", unit: "texts", quiet: quiet)
        let encode = encoderOptions.embed(encoder)
        let progress: ProgressHandler = { done, _ in bar.update(done: done) }
        var output: [String: JSONScalar] = [:]
        let result: RetrievalMetrics
        if let search = try index.search(precision: precision, rescoreMultiplier: rescoreMultiplier) {
            let compared = try evaluator.run(encode, search: search, progress: progress)
            bar.finish()
            result = compared.approximate
            let info: (String) -> Void = json ? { Report.info($0) } : { print($0) }
            for line in ["exact float32 search:"] + Self.lines(compared.exact, data: data, split: split, documents: evaluator.documents.count).dropFirst() {
                info(line)
            }
            let recall = compared.exact.recall[10].map { exact in compared.approximate.recall[10]! / exact }
            let memory = compared.bytesPerVector < compared.float32BytesPerVector
                ? ", 1/\(compared.float32BytesPerVector / compared.bytesPerVector)" : ""
            info("\(index == .hnsw ? "hnsw" : "\(precision.rawValue) search, rescoring \(rescoreMultiplier)x"): \(compared.bytesPerVector) bytes per vector "
                 + "(float32: \(compared.float32BytesPerVector)\(memory)), recall@10 against exact search \(Format.fixed(compared.overlapAt10, 4))"
                 + (recall.map { ", Recall@10 \(Format.fixed($0 * 100, 2))% of exact search's" } ?? ""))
            for (name, value) in compared.exact.metrics(prefix: "exact") { output[name] = .number(value) }
            output["overlap_at_10"] = .number(compared.overlapAt10)
            output["bytes_per_vector"] = .number(Double(compared.bytesPerVector))
            output["float32_bytes_per_vector"] = .number(Double(compared.float32BytesPerVector))
        } else {
            result = try evaluator.run(encode, progress: progress)
            bar.finish()
        }
        for line in Self.lines(result, data: data, split: split, documents: evaluator.documents.count) { Report.result(json: json, line) }
        if json {
            for (name, value) in result.metrics() { output[name] = .number(value) }
            output["documents"] = .number(Double(evaluator.documents.count))
            output["split"] = .text(split)
            output["pooling"] = .text(encoder.pooling.mode.rawValue)
            output["precision"] = .text(precision.embeddings.rawValue)
            output["index"] = .text(index.rawValue)
            output["dimensions"] = .number(Double(encoder.truncateDimension ?? encoder.model.hiddenSize))
            try Report.json(output)
        }
    }

    /// The human-readable report: what was evaluated, then the metrics by family.
    static func lines(_ result: RetrievalMetrics, data: String, split: String, documents: Int) -> [String] {
        func cells(_ name: String, _ values: [Int: Double]) -> String {
            values.keys.sorted().map { "\(name)@\($0) \(Format.fixed(values[$0]!, 4))" }.joined(separator: ", ")
        }
        return ["\(data) (\(split)): \(result.queries) queries, \(documents) documents",
                [cells("nDCG", result.ndcg), cells("MRR", result.mrr), cells("MAP", result.map)].joined(separator: ", "),
                cells("Recall", result.recall), cells("Precision", result.precision), cells("Accuracy", result.accuracy)]
    }
}

/// A number or a string: the values of a flat JSON object built from metrics.
enum JSONScalar: Encodable {
    case number(Double)
    case text(String)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }
}
