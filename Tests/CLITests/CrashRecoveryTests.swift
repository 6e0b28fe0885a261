import Foundation
import TestSupport
import Testing

/// A training run killed with SIGKILL resumes from its last complete checkpoint and ends with the
/// same weights as an uninterrupted run, for every method that has checkpoints.
@Suite struct CrashRecoveryTests {
    let runner = CommandLineTests()

    /// Each method's command line for a short run that writes a checkpoint every 2 steps.
    static func trainArguments(_ method: String, corpus: URL, output: URL) throws -> [String] {
        switch method {
        case "cert+finetune":
            // Stage 1 of 12 steps, then fine-tuning of 200 pairs in batches of 16: 12 steps.
            // Beside the corpus: the killed run and its resumption read the same file.
            let pairs = corpus.deletingLastPathComponent().appendingPathComponent("sick.txt")
            try (String(contentsOf: TestPaths.fixture("sick/SICK_trial.txt"), encoding: .utf8).split(separator: "\n").prefix(200)
                .joined(separator: "\n") + "\n").write(to: pairs, atomically: true, encoding: .utf8)
            return try trainArguments("cert", corpus: corpus, output: output)
                + ["--finetune-data", pairs.path, "--finetune-eval", pairs.path, "--finetune-batch-size", "16", "--finetune-epochs", "1"]
        case "align", "vlmo":
            // VLMo: stages of 1, 1 and 6 steps, so that checkpoints fall on a stage's end and inside one;
            // 20 validation images evaluated every step (best/ and ITM's calibration resume too).
            return ["train", method, "--dataset", "shapes", "--output", output.path, "--max-steps", "6", "--batch-size", "16",
                    "--validation-fraction", "0.001", "--checkpoint-every", "2", "--quiet"]
        case "align-clip":
            // Fine-tuning the reference CLIP on 16 captioned images (beside the corpus), CLIP's learning rate.
            try CLIPCommandTests.captionFolder(in: corpus.deletingLastPathComponent())
            return ["train", "align", "--model", try CLIPCommandTests.clip().path, "--dataset",
                    corpus.deletingLastPathComponent().appendingPathComponent("captions.jsonl").path, "--output", output.path,
                    "--max-steps", "6", "--batch-size", "8", "--checkpoint-every", "2", "--quiet"]
        case "albef":
            return ["train", method, "--output", output.path, "--max-steps", "6", "--batch-size", "8", "--train-count", "64",
                    "--test-count", "0", "--queue-size", "24", "--checkpoint-every", "2", "--quiet"]
        case "simclr", "moco":
            return ["train", method, "--dataset", "shapes", "--output", output.path, "--max-steps", "8", "--batch-size", "16",
                    "--checkpoint-every", "2", "--seed", "3", "--quiet"] + (method == "moco" ? ["--queue-size", "40"] : [])
        default:
            return ["train", method, "--init", "tiny", "--corpus", corpus.path, "--output", output.path, "--max-steps", "12",
                    "--checkpoint-every", "2", "--batch-size", "8", "--max-length", "16", "--pooling", "mean", "--schedule", "constant",
                    "--lr", "1e-3", "--seed", "3", "--quiet"] + (method == "cert" ? ["--augment", "deletion", "--queue-size", "24"] : [])
        }
    }

    /// Each method killed once its checkpoint of step `killAfter` is complete; VLMo's step 2 ends
    /// its second stage, its step 4 lies inside the third; CERT's step 16 lies inside fine-tuning.
    @Test(arguments: [("simcse", 2), ("esimcse", 2), ("cert", 2), ("cert+finetune", 16), ("simclr", 2), ("moco", 2), ("align", 2), ("vlmo", 2),
                      ("vlmo", 4), ("albef", 2), ("align-clip", 2)])
    func killedRunResumesToTheSameWeights(method: String, killAfter: Int) throws {
        let text = (try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8))
            .split(separator: "\n").prefix(32).joined(separator: "\n")
        let corpus = try TestPaths.write(text + "\n", named: "corpus.txt")
        let straight = try TestPaths.temporaryDirectory().appendingPathComponent("straight")
        let killed = try TestPaths.temporaryDirectory().appendingPathComponent("killed")
        let uninterrupted = try runner.run(try Self.trainArguments(method, corpus: corpus, output: straight))
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = try Self.trainArguments(method, corpus: corpus, output: killed)
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill as soon as the checkpoint is complete: whatever the run is doing then (a step, a save).
        let manifest = killed.appendingPathComponent("checkpoints/latest.json")
        let deadline = Date().addingTimeInterval(120)
        func reached() -> Bool {
            guard let text = try? String(contentsOf: manifest, encoding: .utf8), let number = text.split(separator: "-").last?.prefix(while: \.isNumber),
                  let step = Int(number) else { return false }
            return step >= killAfter
        }
        while !reached() && process.isRunning && Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("model.safetensors").path))

        let resumed = try runner.run(try Self.trainArguments(method, corpus: corpus, output: killed) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("model.safetensors"))
        #expect(a == b, "\(method): resumed weights differ from the uninterrupted run")
        if method == "cert+finetune" {
            let classifier = "classifier/model.safetensors"
            #expect(try Data(contentsOf: straight.appendingPathComponent(classifier)) == Data(contentsOf: killed.appendingPathComponent(classifier)))
        }
    }
}
