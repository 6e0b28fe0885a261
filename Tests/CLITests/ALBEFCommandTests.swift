import Foundation
import TestSupport
import Testing

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
        #expect(metrics["itc_t2i_r1"] != nil && metrics["itm_t2i_r1"] != nil && metrics["itm_i2t_r10"] != nil)
        for name in ["image_text_config.json", "model.safetensors", "metrics.jsonl", "training_config.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name) is missing")
        }
        let eval = try cli.run(["eval", "retrieval", "--model", folder.path, "--dataset", "shapes", "--split", "test", "--count", "8",
                                "--rerank", "itm", "--quiet", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let recall = try #require(try JSONSerialization.jsonObject(with: Data(try #require(eval.stdout.split(separator: "\n").last).utf8)) as? [String: Double])
        // The same model and test images as the training run's own evaluation.
        #expect(recall == metrics)
    }

    @Test func evalRetrievalRejectsANonALBEFFolder() throws {
        let outcome = try cli.run(["eval", "retrieval", "--model", try CommandLineTests.tinyModel().path, "--count", "4"])
        cli.expectFailure(outcome, status: 1, mentions: ["image_text_config.json"])
    }
}
