import Foundation
import TestSupport
import Testing
import Text

/// `contrast eval retrieval-text`, `contrast mine-negatives`, and text training that evaluates
/// on a retrieval folder, with a tiny random encoder.
@Suite struct RetrievalCommandTests {
    let cli = CommandLineTests()

    /// The last line of standard output as a JSON object.
    func lastObject(_ outcome: CommandLineTests.Outcome) throws -> [String: Any] {
        let line = try #require(outcome.stdout.split(separator: "\n").last, "\(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// A small retrieval folder over wiki sentences: queries are sentences' first halves, each
    /// relevant to its own sentence; the first 4 queries in `dev`, the others in `test`.
    static func folder() throws -> URL {
        let lines = try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8).split(separator: "\n").prefix(40).map(String.init)
        let folder = try TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        func json(_ object: [String: String]) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) }
        try lines.enumerated().map { try json(["_id": "d\($0)", "title": "", "text": $1]) }.joined(separator: "\n")
            .write(to: folder.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try (0..<10).map { try json(["_id": "q\($0)", "text": String(lines[$0].prefix(lines[$0].count / 2))]) }.joined(separator: "\n")
            .write(to: folder.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        for (split, queries) in [("dev", 0..<4), ("test", 4..<10)] {
            try ("query-id\tcorpus-id\tscore\n" + queries.map { "q\($0)\td\($0)\t1\n" }.joined())
                .write(to: folder.appendingPathComponent("qrels/\(split).tsv"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func evaluatesTheBundledFolder() throws {
        let model = try CommandLineTests.tinyModel()
        let data = try TestPaths.dataFile("sts-retrieval/corpus.jsonl").deletingLastPathComponent()
        let outcome = try cli.run(["eval", "retrieval-text", "--model", model.path, "--data", data.path, "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let result = try lastObject(outcome)
        #expect(result["queries"] as? Int == 200 && result["documents"] as? Int == 3608 && result["split"] as? String == "test")
        for key in ["ndcg_at_10", "mrr_at_10", "map_at_100", "recall_at_1", "recall_at_10", "recall_at_100", "precision_at_10", "accuracy_at_1"] {
            let value = try #require(result[key] as? Double, "\(key) missing: \(result)")
            #expect((0...1).contains(value), "\(key) \(value)")
        }
        // Without --json the metrics are the output.
        #expect(outcome.stderr.contains("nDCG@10 ") && outcome.stderr.contains("200 queries, 3608 documents"))
    }

    @Test func folderErrorsNameTheFile() throws {
        let model = try CommandLineTests.tinyModel()
        let folder = try Self.folder()
        let split = try cli.run(["eval", "retrieval-text", "--model", model.path, "--data", folder.path, "--split", "train"])
        cli.expectFailure(split, status: 1, mentions: ["\(folder.path)/qrels/train.tsv: no such split (splits: dev, test)"])
        let missing = try cli.run(["eval", "retrieval-text", "--model", model.path, "--data", folder.appendingPathComponent("none").path, "--json"])
        cli.expectFailure(missing, status: 1, mentions: ["none/corpus.jsonl: no such file"])
        #expect(try lastObject(missing)["file"] as? String == folder.appendingPathComponent("none/corpus.jsonl").path)
        let file = try cli.run(["eval", "retrieval-text", "--model", model.path, "--data", folder.appendingPathComponent("corpus.jsonl").path])
        cli.expectFailure(file, status: 1, mentions: ["corpus.jsonl: not a folder"])
    }

    @Test func miningOptionsAreChecked() throws {
        let base = ["mine-negatives", "--model", "m", "--pairs", "p.tsv"]
        cli.expectFailure(try cli.run(base + ["--output", "out.txt"]), status: 2, mentions: ["--output must end in .csv or .tsv"])
        cli.expectFailure(try cli.run(base + ["--output", "o.csv", "--negatives", "5", "--range-max", "4"]), status: 2,
                          mentions: ["--range-max 4 leaves 4 ranks after range-min 0, fewer than the 5 negatives"])
        cli.expectFailure(try cli.run(base + ["--output", "o.csv", "--sampling", "rand"]), status: 2, mentions: ["--sampling", "did you mean 'random'?"])
    }

    /// Mining a folder's dev split writes n-tuples; supervised SimCSE trains on them with
    /// gradient caching while evaluating on the folder's test split, keeping the best model by
    /// nDCG@10; the report plots it.
    @Test func minedTuplesTrainWithRetrievalEvaluation() throws {
        let model = try CommandLineTests.tinyModel()
        let folder = try Self.folder()
        let mined = try TestPaths.temporaryDirectory().appendingPathComponent("mined.tsv")
        let mining = try cli.run(["mine-negatives", "--model", model.path, "--pairs", folder.path, "--split", "dev", "--output", mined.path,
                                  "--negatives", "3", "--sampling", "random", "--json", "--quiet"])
        #expect(mining.status == 0, "\(mining.stderr)")
        #expect(try lastObject(mining)["tuples"] as? Int == 4)
        let rows = try DelimitedFile.records(of: mined, format: .tsv).map(\.fields)
        #expect(rows.first == ["anchor", "positive", "negative_1", "negative_2", "negative_3"] && rows.count == 5 && rows.allSatisfy { $0.count == 5 })

        let output = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let trained = try cli.run(["train", "simcse", "--init", "tiny", "--triplets", mined.path, "--output", output.path, "--max-steps", "4",
                                   "--batch-size", "2", "--grad-cache-chunk", "3", "--max-length", "24", "--pooling", "mean",
                                   "--eval-data", folder.path, "--eval-split", "test", "--eval-every", "2", "--quiet", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let summary = try lastObject(trained)
        #expect(summary["best_step"] as? Int != nil && (summary["metrics"] as? [String: Double])?["ir_queries"] == 6, "\(summary)")
        let log = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(log.components(separatedBy: "\"ir_ndcg_at_10\"").count == 3, "two evaluations: \(log)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("best/model.safetensors").path))
        #expect(try String(contentsOf: output.appendingPathComponent("training_config.json"), encoding: .utf8).contains("\"eval-split\" : \"test\""))

        let report = try cli.run(["report", output.path, "--quiet"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("plots/retrieval.svg").path))
        let markdown = try String(contentsOf: output.appendingPathComponent("plots/report.md"), encoding: .utf8)
        #expect(markdown.contains("Retrieval nDCG@10 (ir): final ") && !markdown.contains("STS Spearman"), "\(markdown)")
    }
}
