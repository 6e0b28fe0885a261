import Foundation
import TestSupport
import Testing

/// Every way a command could lose a user's work now refuses, keeps the old run intact, or resumes
/// correctly (`RunFolder`'s rules at the command line).
@Suite struct RunFolderCommandTests {
    let cli = CommandLineTests()

    func corpus(lines: Int = 64) throws -> URL {
        let text = try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8)
        return try TestPaths.write(text.split(separator: "\n").prefix(lines).joined(separator: "\n") + "\n", named: "corpus.txt")
    }

    func simcse(_ corpus: URL, _ output: URL, steps: Int = 4, _ extra: [String] = []) -> [String] {
        ["train", "simcse", "--init", "tiny", "--corpus", corpus.path, "--output", output.path, "--max-steps", "\(steps)",
         "--batch-size", "8", "--max-length", "16", "--pooling", "mean", "--seed", "3", "--quiet"] + extra
    }

    /// A finished tiny SimCSE run and the bytes of its model.
    func finishedRun(steps: Int = 4, _ extra: [String] = []) throws -> (corpus: URL, run: URL, model: Data) {
        let corpus = try corpus(), run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let outcome = try cli.run(simcse(corpus, run, steps: steps, extra))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return (corpus, run, try Data(contentsOf: run.appendingPathComponent("model.safetensors")))
    }

    func contents(_ folder: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() }

    @Test func demoRefusesTheCurrentFolderAndANonEmptyOne() throws {
        let here = try TestPaths.temporaryDirectory()
        try "keep me".write(to: here.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        // Before: `demo --output .` deleted the current folder.
        let dot = try cli.run(["demo", "--output", ".", "--model", "no-model"], in: here)
        cli.expectFailure(dot, status: 2, mentions: ["not empty", "--overwrite"])
        let overwritten = try cli.run(["demo", "--output", ".", "--overwrite", "--model", "no-model"], in: here)
        cli.expectFailure(overwritten, status: 2, mentions: ["holds the current folder"])
        #expect(try contents(here) == ["notes.txt"])
    }

    @Test func imageTextTrainingRefusesAnotherRun() throws {
        let (_, run, model) = try finishedRun()
        let before = try contents(run)
        // Before: ALIGN wrote into any folder, another method's run included.
        let align = try cli.run(["train", "align", "--dataset", "shapes", "--output", run.path, "--max-steps", "1", "--batch-size", "8", "--quiet"])
        cli.expectFailure(align, status: 2, mentions: [run.path, "not empty"])
        #expect(try contents(run) == before)
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model)
    }

    @Test func overwriteValidatesInputsFirst() throws {
        let (_, run, model) = try finishedRun()
        let before = try contents(run)
        let missing = run.deletingLastPathComponent().appendingPathComponent("typo.txt")
        // Before: the old run was deleted, then the typo reported.
        let outcome = try cli.run(simcse(missing, run, ["--overwrite"]))
        cli.expectFailure(outcome, status: 1, mentions: ["typo.txt"])
        #expect(try contents(run) == before)
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model)
    }

    @Test func overwriteReplacesTheRunOnlyWhenComplete() throws {
        let (corpus, run, model) = try finishedRun()
        let before = try contents(run)
        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = simcse(corpus, run, steps: 100_000, ["--overwrite", "--seed", "4"])
        process.standardError = FileHandle.nullDevice
        try process.run()
        let incoming = run.deletingLastPathComponent().appendingPathComponent(".run.contrast-incoming/metrics.jsonl")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: incoming.path) && process.isRunning && Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try contents(run) == before, "the old run changed while the new one was incomplete")
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model)
        // A complete overwrite replaces it (and the leftover of the killed one).
        let done = try cli.run(simcse(corpus, run, ["--overwrite", "--seed", "4"]))
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) != model)
        #expect(try contents(run.deletingLastPathComponent()) == ["run"], "a hidden sibling was left behind")
    }

    @Test func resumeWithoutACheckpointIsAnError() throws {
        let corpus = try corpus(), run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let missing = try cli.run(simcse(corpus, run, ["--resume"]))
        cli.expectFailure(missing, status: 1, mentions: [run.path, "no such run folder"])
        // A run killed before its first checkpoint: nothing to resume, and its log stays as it was.
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try "{}".write(to: run.appendingPathComponent(".contrast-run.json"), atomically: true, encoding: .utf8)
        let unfinished = try finishedRun()
        try FileManager.default.copyItem(at: unfinished.run.appendingPathComponent("training_config.json"), to: run.appendingPathComponent("training_config.json"))
        try "{\"step\":1,\"loss\":1}\n".write(to: run.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        // The recorded run's data: another corpus would change the run.
        let outcome = try cli.run(simcse(unfinished.corpus, run, ["--resume"]))
        cli.expectFailure(outcome, status: 1, mentions: [run.path, "no checkpoint to resume"])
        #expect(try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8) == "{\"step\":1,\"loss\":1}\n")
    }

    @Test func resumeRefusesSettingsThatChangeTheRun() throws {
        let (corpus, run, _) = try finishedRun(["--checkpoint-every", "2"])
        let settings = try Data(contentsOf: run.appendingPathComponent("training_config.json"))
        let outcome = try cli.run(simcse(corpus, run, steps: 8, ["--resume", "--batch-size", "16", "--lr", "1e-3"]))
        cli.expectFailure(outcome, status: 2, mentions: ["batch-size: 8 → 16", "lr: 3e-05 → 0.001", "may change"])
        #expect(try Data(contentsOf: run.appendingPathComponent("training_config.json")) == settings, "the recorded settings were rewritten")
    }

    @Test func resumingAFinishedRunSaysSoAndExitsZero() throws {
        let (corpus, run, model) = try finishedRun()
        // Before: `--resume --json` on a finished run crashed encoding a NaN loss.
        let outcome = try cli.run(simcse(corpus, run, ["--resume", "--json"]))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("already complete"))
        let line = try #require(outcome.stdout.split(separator: "\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["already_complete"] as? Bool == true)
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model)
    }

    /// SIGINT writes a checkpoint and exits 130; `--resume` says where it continues and ends with
    /// the weights of an uninterrupted run.
    @Test func interruptedRunCheckpointsAndResumesExactly() throws {
        let (corpus, _, model) = try finishedRun(steps: 100)
        let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = simcse(corpus, run, steps: 100)
        let err = Pipe()
        process.standardError = err
        try process.run()
        // Interrupt once the first step is logged, long before the last.
        let log = run.appendingPathComponent("metrics.jsonl")
        let deadline = Date().addingTimeInterval(120)
        while ((try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 1 && process.isRunning && Date() < deadline {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGINT)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("stopped by SIGINT after step") && stderr.contains("--resume"), "\(stderr)")
        let resumed = try cli.run(simcse(corpus, run, steps: 100, ["--resume"]))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming from step ") && resumed.stderr.contains(" of 100"), "\(resumed.stderr)")
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model, "resumed weights differ from the uninterrupted run")
    }

    /// Before: `--temperature inf` failed with an `EncodingError` dump and left an empty run folder.
    @Test func nonFiniteSettingsAreUsageErrorsBeforeAnyFolder() throws {
        let corpus = try corpus(), run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        cli.expectFailure(try cli.run(simcse(corpus, run, ["--temperature", "inf"])), status: 2, mentions: ["--temperature: 'inf' is not a finite float"])
        #expect(!FileManager.default.fileExists(atPath: run.path), "a run folder was left behind")
    }

    @Test func certChecksItsFineTuningDataBeforeTraining() throws {
        let corpus = try corpus(), run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let missing = run.deletingLastPathComponent().appendingPathComponent("missing.txt")
        // Before: stage 1 trained to the end, then the missing file was reported.
        let outcome = try cli.run(["train", "cert", "--init", "tiny", "--corpus", corpus.path, "--output", run.path, "--max-steps", "2",
                                   "--batch-size", "8", "--augment", "deletion", "--finetune-data", missing.path, "--finetune-eval", missing.path, "--quiet"])
        cli.expectFailure(outcome, status: 1, mentions: ["missing.txt"])
        #expect(!FileManager.default.fileExists(atPath: run.path), "a run folder was made before the inputs were checked")
    }
}
