import Evaluation
import Foundation
import Methods
import TestSupport
import Testing

/// `contrast train align|vlmo` and `contrast eval zeroshot|retrieval`, end to end on tiny runs.
@Suite struct ImageTextCommandTests {
    let cli = CommandLineTests()

    /// The JSON object on the last stdout line.
    func lastJSON(_ outcome: CommandLineTests.Outcome) throws -> [String: Any] {
        let line = try #require(outcome.stdout.split(separator: "\n").last, "stdout: \(outcome.stdout) stderr: \(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func train(_ method: String) throws -> URL {
        let output = try TestPaths.temporaryDirectory().appendingPathComponent(method)
        // 20 of Shapes' training images validate (the ITM calibration is the slow part of a debug build).
        let outcome = try cli.run(["train", method, "--dataset", "shapes", "--output", output.path, "--max-steps", "2",
                                   "--batch-size", "8", "--validation-fraction", "0.001", "--quiet", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try lastJSON(outcome)["final_loss"] is Double)
        for file in ["image_text_config.json", "model.safetensors", "training_config.json", "metrics.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file) missing")
        }
        // Before: report failed on ALIGN and VLMo runs (their log had no throughput).
        let report = try cli.run(["report", output.path, "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        return output
    }

    func retrieval(_ model: URL, _ extra: [String] = []) throws -> CommandLineTests.Outcome {
        try cli.run(["eval", "retrieval", "--model", model.path, "--dataset", "shapes", "--split", "test", "--test-count", "12", "--json"] + extra)
    }

    /// ALIGN from scratch on a caption file has defaults of its own (a higher peak learning rate,
    /// more images seen), which flags still override; Shapes keeps ALIGN's usual ones.
    @Test func alignOnCaptionsHasItsOwnDefaults() throws {
        let file = try ALBEFCommandTests.captionFile()
        func settings(_ extra: [String]) throws -> [String: Any] {
            let output = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            let outcome = try cli.run(["train", "align", "--output", output.path, "--max-steps", "1", "--batch-size", "4",
                                       "--validation-fraction", "0", "--quiet"] + extra)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let data = try Data(contentsOf: output.appendingPathComponent("training_config.json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        for dataset in [file.path, "shapes"] {
            let lr = try #require(try settings(["--dataset", dataset])["lr"] as? Double)
            #expect(Float(lr) == TrainingSettings.alignCaptionsLearningRate, "\(dataset)")
            #expect(try settings(["--dataset", dataset, "--lr", "5e-4"])["lr"] as? Double == 5e-4, "\(dataset)")
        }
        #expect(TrainingSettings(method: "align").learningRate == 1e-3, "fashion-mnist's")
    }

    @Test func alignTrainsAndEvaluates() throws {
        let model = try train("align")
        let recall = try lastJSON(try retrieval(model))
        for key in ["t2i_r1", "t2i_r5", "t2i_r10", "i2t_r1", "i2t_r5", "i2t_r10"] { #expect(recall[key] is Double, "\(key) missing") }
        // ALIGN has no matching head: re-ranking by ITM is a usage error.
        cli.expectFailure(try retrieval(model, ["--rerank", "itm"]), status: 2, mentions: ["no image-text matching head"])
        let fashion = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
        try #require(FileManager.default.fileExists(atPath: fashion),
                     "\(fashion) is missing: run scripts/install-deps.sh (Debian package dataset-fashion-mnist)")
        let zeroShot = try cli.run(["eval", "zeroshot", "--model", model.path, "--dataset", "fashion-mnist", "--split", "test", "--json"])
        #expect(zeroShot.status == 0, "\(zeroShot.stderr)")
        let accuracy = try #require(try lastJSON(zeroShot)["accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
    }

    @Test func vlmoTrainsAndRerank() throws {
        let model = try train("vlmo")
        let log = try String(contentsOf: model.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        // Each unimodal stage runs a tenth of stage 3's steps (at least one): 1 + 1 + 2; the
        // validation split is evaluated every step of so short a run (a tenth of it rounds to 1).
        #expect(log.filter { $0.contains("\"loss\"") }.count == 4)
        #expect(log.filter { $0.contains("\"val_t2i_r1\"") }.count == 4)
        // ITM re-ranks only as the validation split chose; where it did not beat ITC it is refused with the numbers.
        let reranking = try #require(try ITMReranking.load(from: model))
        let reranked = try retrieval(model, ["--rerank", "itm"])
        if reranking.isUsed {
            #expect(try lastJSON(reranked)["t2i_r1"] is Double)
        } else {
            cli.expectFailure(reranked, status: 2, mentions: ["did not beat ITC", "validation split (20 images"])
        }
        try FileManager.default.removeItem(at: model.appendingPathComponent(ITMReranking.fileName))
        cli.expectFailure(try retrieval(model, ["--rerank", "itm"]), status: 2, mentions: [ITMReranking.fileName, "--validation-fraction"])
    }

    @Test func badValidationSettingsAreRefusedInOneLine() throws {
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        cli.expectFailure(try cli.run(["train", "align", "--dataset", "shapes", "--output", output.path, "--validation-fraction", "0.7"]),
                          status: 2, mentions: ["validation-fraction must be in [0, 0.5]"])
        cli.expectFailure(try cli.run(["train", "align", "--dataset", "shapes", "--output", output.path, "--eval-data", "/nonexistent/captions.jsonl",
                                       "--max-steps", "1"]), status: 1, mentions: ["/nonexistent/captions.jsonl"])
    }

    @Test func badModelFolderIsADataError() throws {
        let empty = try TestPaths.temporaryDirectory()
        cli.expectFailure(try retrieval(empty), status: 1, mentions: ["image_text_config.json"])
        try #"{"method": "clip"}"#.write(to: empty.appendingPathComponent("image_text_config.json"), atomically: true, encoding: .utf8)
        cli.expectFailure(try retrieval(empty), status: 1, mentions: ["unknown method 'clip'"])
    }
}
