import Foundation
import TestSupport
import Testing

/// A training run killed with SIGKILL resumes from its last complete checkpoint and ends with the
/// same weights as an uninterrupted run.
@Suite struct CrashRecoveryTests {
    let runner = CommandLineTests()

    func trainArguments(corpus: URL, output: URL) -> [String] {
        ["train", "simcse", "--init", "tiny", "--corpus", corpus.path, "--output", output.path, "--max-steps", "12",
         "--checkpoint-every", "2", "--batch-size", "8", "--max-length", "16", "--pooling", "mean", "--schedule", "constant",
         "--lr", "1e-3", "--seed", "3", "--quiet"]
    }

    @Test func killedRunResumesToTheSameWeights() throws {
        let text = (try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8))
            .split(separator: "\n").prefix(32).joined(separator: "\n")
        let corpus = try TestPaths.write(text + "\n", named: "corpus.txt")
        let straight = try TestPaths.temporaryDirectory().appendingPathComponent("straight")
        let killed = try TestPaths.temporaryDirectory().appendingPathComponent("killed")
        #expect(try runner.run(trainArguments(corpus: corpus, output: straight)).status == 0)

        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = trainArguments(corpus: corpus, output: killed)
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill as soon as a checkpoint is complete: whatever the run is doing then (a step, a save).
        let manifest = killed.appendingPathComponent("checkpoints/latest.json")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: manifest.path) && process.isRunning && Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("model.safetensors").path))

        let resumed = try runner.run(trainArguments(corpus: corpus, output: killed) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("model.safetensors"))
        #expect(a == b, "resumed weights differ from the uninterrupted run")
    }
}
