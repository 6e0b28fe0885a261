import Foundation
import TestSupport
import Testing

/// The conventions of docs/cli.md, one probe each; every probe's "before" is what the command
/// did until these conventions were enforced.
@Suite struct CommandLineConventionTests {
    let cli = CommandLineTests()

    /// Before: a choice typo printed a bulleted list, the usage and a help pointer over ten lines,
    /// with no suggestion; a negative count said "Missing value".
    @Test func usageErrorsAreOneLineNamingTheFlagWithASuggestion() throws {
        let model = try CommandLineTests.tinyModel()
        let base = ["encode", "--model", model.path, "--input", "/dev/null", "--output", "/tmp/never.jsonl"]
        let pooling = try cli.run(base + ["--pooling", "meen"])
        cli.expectFailure(pooling, status: 2, mentions: ["--pooling: 'meen' is not one of cls,", "(did you mean 'mean'?)"])
        #expect(pooling.stderr.split(separator: "\n").count == 1, "\(pooling.stderr)")
        cli.expectFailure(try cli.run(base + ["--precision", "bf61"]), status: 2, mentions: ["--precision: 'bf61' is not one of fp32, bf16, int8, binary (did you mean 'bf16'?)"])
        cli.expectFailure(try cli.run(base + ["--batch-size", "-4"]), status: 2, mentions: ["--batch-size: '-4' is negative"])
        cli.expectFailure(try cli.run(base + ["--batch-size", "many"]), status: 2, mentions: ["--batch-size: 'many' is not a valid value"])
        let schedule = try cli.run(["train", "simcse", "--init", "tiny", "--corpus", "x", "--output", "/tmp/never", "--schedule", "cosin"])
        cli.expectFailure(schedule, status: 2, mentions: ["--schedule: 'cosin' is not one of linear, constant, cosine (did you mean 'cosine'?)"])
        // A parse error under --json ends stdout with the error object, like any other failure.
        let json = try cli.run(base + ["--pooling", "meen", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any])
        #expect(object["exit_code"] as? Int == 2 && (object["error"] as? String)?.contains("did you mean 'mean'") == true)
    }

    /// Before: `--dataset fashion` said only that no such file exists.
    @Test func dataSetNamesGetTheClosestKnownOne() throws {
        let outcome = try cli.run(["train", "align", "--dataset", "fashion", "--output", "/tmp/never-align"])
        cli.expectFailure(outcome, status: 1, mentions: ["fashion: no such file", "did you mean 'fashion-mnist'?"])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-align"))
    }

    /// Before: encode could not read standard input or write standard output, wrote an empty file
    /// for an empty input without a word, and had no --json.
    @Test func encodeStreamsThroughDashAndRefusesAnEmptyInput() throws {
        let model = try CommandLineTests.tinyModel()
        let piped = try cli.run(["encode", "--model", model.path, "--input", "-", "--output", "-", "--quiet"], standardInput: "a cat\n\nthe dog\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        let lines = piped.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["text"] as? String == "a cat" && (first["embedding"] as? [Double])?.count == 128)

        let output = try TestPaths.temporaryDirectory().appendingPathComponent("empty.jsonl")
        let empty = try cli.run(["encode", "--model", model.path, "--input", "-", "--output", output.path], standardInput: "\n \n")
        cli.expectFailure(empty, status: 1, mentions: ["<stdin>: no sentences to encode (2 empty lines)"])
        #expect(!FileManager.default.fileExists(atPath: output.path))

        let summary = try cli.run(["encode", "--model", model.path, "--input", "-", "--output", output.path, "--json", "--quiet"], standardInput: "one\ntwo\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data((summary.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        #expect(object["sentences"] as? Int == 2 && object["dimensions"] as? Int == 128 && object["output"] as? String == output.path)
        cli.expectFailure(try cli.run(["encode", "--model", model.path, "--input", "-", "--output", "-", "--json"], standardInput: "x\n"),
                          status: 2, mentions: ["--json with --output -"])
        // Before: the output's missing folder was found after encoding everything.
        cli.expectFailure(try cli.run(["encode", "--model", model.path, "--input", "-", "--output", "/nonexistent/dir/x.jsonl"], standardInput: "x\n"),
                          status: 1, mentions: ["/nonexistent/dir/x.jsonl: cannot be written (no such folder /nonexistent/dir)"])
    }

    /// Before: "STSEvaluator sts: no pairs to evaluate", an internal type name and no file.
    @Test func anEmptySTSFileIsNamed() throws {
        let empty = try TestPaths.write("", named: "empty-sts.csv")
        let outcome = try cli.run(["eval", "sts", "--model", try CommandLineTests.tinyModel().path, "--data", empty.path])
        cli.expectFailure(outcome, status: 1, mentions: ["\(empty.path): no sentence pairs to evaluate"])
        #expect(!outcome.stderr.contains("STSEvaluator"))
    }

    /// Before: `report --evaluator stsb` on a run that logged `sts_spearman` silently dropped the
    /// STS plot; `report missing` said "not a folder".
    @Test func reportRefusesAnEvaluatorTheLogDoesNotHold() throws {
        let run = try TestPaths.temporaryDirectory()
        try """
            {"step": 1, "loss": 2.0, "lr": 0.1, "sentences_per_s": 10}
            {"step": 1, "stsdev_spearman": 70.5}
            """.write(to: run.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        let typo = try cli.run(["report", run.path, "--evaluator", "sts"])
        cli.expectFailure(typo, status: 1, mentions: ["metrics.jsonl: holds no 'sts' evaluations (it has: stsdev)"])
        let found = try cli.run(["report", run.path, "--quiet"])
        #expect(found.status == 0 && found.stderr.isEmpty, "\(found.stderr)")
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("plots/sts.svg").path))
        let listed = try cli.run(["report", run.path])
        #expect(listed.stdout.isEmpty && listed.stderr.contains("wrote \(run.path)/plots/sts.svg"))
        cli.expectFailure(try cli.run(["report", run.appendingPathComponent("missing").path]), status: 1, mentions: ["missing: no such folder"])
    }
}
