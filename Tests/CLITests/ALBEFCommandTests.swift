import Evaluation
import Foundation
import TestSupport
import Testing
import Vision

/// `contrast train albef` and `contrast eval retrieval` end to end, on a few steps.
@Suite struct ALBEFCommandTests {
    let cli = CommandLineTests()

    @Test func tinyRunWritesALoadableFolder() throws {
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let train = try cli.run(["train", "albef", "--output", folder.path, "--max-steps", "2", "--batch-size", "8",
                                 "--train-count", "16", "--test-count", "8", "--quiet", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let summary = try #require(train.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        #expect(object["steps"] as? Int == 2)
        let metrics = try #require(object["metrics"] as? [String: Double])
        // The test split is re-ranked by ITM only where the validation split (2 of the 16 images) chose it.
        let reranking = try #require(try ITMReranking.load(from: folder))
        #expect(metrics["itc_t2i_r1"] != nil && (metrics["itm_t2i_r1"] != nil) == reranking.isUsed && (metrics["itm_i2t_r10"] != nil) == reranking.isUsed)
        #expect(reranking.images == 2)
        for name in ["image_text_config.json", "model.safetensors", "metrics.jsonl", "training_config.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name) is missing")
        }
        // Before: report failed on ALBEF runs (their log had no throughput).
        let report = try cli.run(["report", folder.path, "--json"])
        #expect(report.status == 0, "\(report.stderr)")
    }

    /// A caption file of a few Shapes images written as PNG files.
    static func captionFile() throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        let data = ShapesDataset(split: .test, count: 12, size: 32)
        var lines: [String] = []
        for (index, example) in data.examples.enumerated() {
            try example.image.writePNG(to: folder.appendingPathComponent("\(index).png"))
            let captions = example.captions.map { "\"\($0.text)\"" }.joined(separator: ",")
            lines.append("{\"image\": \"\(index).png\", \"captions\": [\(captions)]}")
        }
        let file = folder.appendingPathComponent("captions.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func captionFileRunIsEvaluatedWithITMReranking() throws {
        let file = try Self.captionFile()
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let train = try cli.run(["train", "albef", "--dataset", file.path, "--output", folder.path, "--max-steps", "2", "--batch-size", "4", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let reranking = try #require(try ITMReranking.load(from: folder))
        if !reranking.isUsed {
            cli.expectFailure(try cli.run(["eval", "retrieval", "--model", folder.path, "--dataset", file.path, "--rerank", "itm"]),
                              status: 2, mentions: ["did not beat ITC", "validation split (1 images"])
        }
        for rerank in reranking.isUsed ? [[], ["--rerank", "itm"]] : [[]] {
            let eval = try cli.run(["eval", "retrieval", "--model", folder.path, "--dataset", file.path, "--json"] + rerank)
            #expect(eval.status == 0, "\(eval.stderr)")
            let line = try #require(eval.stdout.split(separator: "\n").last)
            let recall = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double])
            #expect(recall.keys.sorted() == ["i2t_r1", "i2t_r10", "i2t_r5", "t2i_r1", "t2i_r10", "t2i_r5"])
            #expect(recall.values.allSatisfy { (0...1).contains($0) })
        }
    }

}
