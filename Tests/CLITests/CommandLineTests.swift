import Foundation
@testable import ContrastCLI
import Methods
import Models
import Text
import TestSupport
import Testing

/// The `contrast` executable: exit codes (2 usage, 1 data) and one-line messages naming the file.
@Suite struct CommandLineTests {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The built `contrast` next to the test bundle's build products.
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["CONTRAST_EXECUTABLE"] { return URL(fileURLWithPath: path) }
        return TestPaths.repositoryRoot.appendingPathComponent(".build/debug/contrast")
    }()

    /// Runs `contrast` (or `executable`) with `arguments` in `directory` (this process's when
    /// `nil`), adding `environment` to this process's, with `standardInput` written to its stdin.
    func run(_ arguments: [String], executable: URL = Self.executable, environment: [String: String] = [:], in directory: URL? = nil,
             standardInput: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        // stderr goes to a file: a run that fills one pipe while the other is read to its end
        // would block for ever (progress lines of a long run do).
        let out = Pipe(), errFile = try TestPaths.temporaryDirectory().appendingPathComponent("stderr.txt")
        guard FileManager.default.createFile(atPath: errFile.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let err = try FileHandle(forWritingTo: errFile)
        defer { try? err.close() }
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if standardInput != nil { process.standardInput = input }
        try process.run()
        if let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
            try input.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = try Data(contentsOf: errFile)
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A saved tiny random encoder folder.
    static func tinyModel() throws -> URL {
        let encoder = try SentenceEncoder.randomlyInitialized(.tiny, pooling: Pooling(mode: .mean, normalize: true), maxLength: 32, seed: 1)
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("model")
        try encoder.save(to: folder)
        return folder
    }

    func expectFailure(_ outcome: Outcome, status: Int32, mentions fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status == status, "exit \(outcome.status), stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
        let lines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(lines.count == 1, "stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(outcome.stderr.contains(fragment), "stderr lacks '\(fragment)': \(outcome.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func encodeWritesJSONLinesAndNumPy() throws {
        let model = try Self.tinyModel()
        let dir = try TestPaths.temporaryDirectory()
        let input = dir.appendingPathComponent("in.txt")
        try "first sentence\n\nsecond one\n".write(to: input, atomically: true, encoding: .utf8)
        let jsonl = dir.appendingPathComponent("out.jsonl"), npy = dir.appendingPathComponent("out.npy")
        let a = try run(["encode", "--model", model.path, "--input", input.path, "--output", jsonl.path])
        #expect(a.status == 0, "\(a.stderr)")
        let lines = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"text\":\"first sentence\""))
        #expect(a.stderr.contains("skipped 1 empty lines"))
        let b = try run(["encode", "--model", model.path, "--input", input.path, "--output", npy.path])
        #expect(b.status == 0, "\(b.stderr)")
        let data = try Data(contentsOf: npy)
        #expect(data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        #expect(data.count % 64 == (128 + 2 * 128 * 4) % 64 && data.count >= 2 * 128 * 4)
    }

    /// `contrast encode` reads every text family's folder (RoBERTa's and ModernBERT's byte-level BPE,
    /// XLM-R's Unigram, MPNet's WordPiece): mean pooling equals transformers' on the reference texts
    /// (but the one with trailing spaces, which a sentence file's reader trims and a tokenizer
    /// that keeps spaces would encode).
    @Test(arguments: ["roberta", "xlm-roberta", "mpnet", "modernbert"]) func encodeReadsEveryTextFamily(family: String) throws {
        let folder = try TestPaths.fixture("families/\(family)")
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("out.jsonl")
        let outcome = try run(["encode", "--model", folder.path, "--input", folder.appendingPathComponent("texts.txt").path, "--output", output.path,
                               "--pooling", "mean", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        struct Expected: Decodable { let mean_pooled: [[Float]] }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected_outputs.json")))
        let rows = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["embedding"] as? [Double]
        }
        let texts = try String(contentsOf: folder.appendingPathComponent("texts.txt"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == expected.mean_pooled.count && texts.count == rows.count)
        let scale = expected.mean_pooled.flatMap { $0 }.map(abs).max() ?? 1
        for (text, (ours, theirs)) in zip(texts, zip(rows, expected.mean_pooled)) where text.last?.isWhitespace != true {
            let worst = zip(try #require(ours), theirs).map { abs(Float($0) - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4 * scale, "\(family) \(text): \(worst)")
        }
    }

    @Test func missingModelFolderIsADataError() throws {
        let outcome = try run(["encode", "--model", "/nonexistent/model", "--input", "/dev/null", "--output", "/tmp/x.jsonl"])
        expectFailure(outcome, status: 1, mentions: ["/nonexistent/model: no such folder"])
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let outcome = try run(["encode", "--model", "m", "--input", "i", "--output", "out.csv"])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(".jsonl or .npy"))
        #expect(try run(["train", "simcse", "--output", "/tmp/x"]).status == 2)
    }

    @Test func invalidUTF8InputNamesTheLine() throws {
        let model = try Self.tinyModel()
        let input = try TestPaths.write([0x6F, 0x6B, 0x0A, 0xFF, 0xFE, 0x0A], named: "bad.txt")
        let outcome = try run(["encode", "--model", model.path, "--input", input.path, "--output", "/tmp/never.jsonl"])
        expectFailure(outcome, status: 1, mentions: ["bad.txt:2"])
    }

    @Test func stsFileWithABadScoreNamesFileAndLine() throws {
        let model = try Self.tinyModel()
        let data = try TestPaths.write("g\tf\t2012\t1\t4.5\tA man.\tA person.\ng\tf\t2012\t2\tfive\tA dog.\tA cat.\n", named: "sts.csv")
        let outcome = try run(["eval", "sts", "--model", model.path, "--data", data.path, "--quiet"])
        expectFailure(outcome, status: 1, mentions: ["sts.csv:2"])
    }

    @Test func trainingRefusesANonEmptyOutputFolder() throws {
        let output = try TestPaths.temporaryDirectory()
        try "keep me".write(to: output.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let corpus = try TestPaths.write("a sentence\nanother one\n", named: "corpus.txt")
        let outcome = try run(["train", "simcse", "--init", "tiny", "--corpus", corpus.path, "--output", output.path])
        expectFailure(outcome, status: 2, mentions: ["not empty", "--overwrite"])
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("notes.txt").path))
    }

    @Test func evalSTSPrintsOneJSONObjectLast() throws {
        let model = try Self.tinyModel()
        let data = try TestPaths.write("g\tf\t2012\t1\t4.5\tA man plays.\tA person plays.\ng\tf\t2012\t2\t0.5\tA dog runs.\tThe sky is blue.\ng\tf\t2012\t3\t2.5\tA cat.\tA kitten.\n", named: "sts.csv")
        let outcome = try run(["eval", "sts", "--model", model.path, "--data", data.path, "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let last = outcome.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        #expect(object?["pairs"] as? Int == 3)
        #expect(object?["spearman"] is Double)
        #expect(outcome.stdout.split(separator: "\n").count == 1, "with --json, stdout holds the JSON object alone: \(outcome.stdout)")
    }

    /// What a bug report needs: release, commit, oneDNN and its instructions, compiler.
    @Test func versionNamesReleaseCommitOneDNNAndInstructions() throws {
        let outcome = try run(["--version"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(outcome.stdout)")
        #expect(lines.first?.hasPrefix("contrast ") == true && lines.first?.contains("(commit ") == true, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("oneDNN 2.") && outcome.stdout.contains("instructions ") && outcome.stdout.contains("Swift 6"), "\(outcome.stdout)")
    }

    /// Before: a Foundation error reached the user as an `NSError` dump (domain, code, user info).
    @Test func fileSystemErrorsAreOneLineNamingTheFile() throws {
        let model = try Self.tinyModel()
        let input = try TestPaths.write("a sentence\n", named: "in.txt")
        // A path below a file cannot be written, even as root.
        let output = input.appendingPathComponent("out.jsonl")
        let outcome = try run(["encode", "--model", model.path, "--input", input.path, "--output", output.path, "--quiet"])
        expectFailure(outcome, status: 1, mentions: [output.path])
        #expect(!outcome.stderr.contains("NSCocoaErrorDomain") && !outcome.stderr.contains("UserInfo"), "\(outcome.stderr)")
    }

    /// Before: every wrong --model said "<folder>/config.json: is missing", whatever the folder was.
    @Test func modelFolderErrorsSayWhatTheFolderIs() throws {
        let data = try TestPaths.write("g\tf\t2012\t1\t4.5\tA man plays.\tA person plays.\n", named: "sts.csv")
        func sts(_ model: String) throws -> Outcome { try run(["eval", "sts", "--model", model, "--data", data.path, "--quiet"]) }
        expectFailure(try sts("/nonexistent/model"), status: 1, mentions: ["/nonexistent/model: no such folder"])
        expectFailure(try sts(data.path), status: 1, mentions: [data.path, "not a folder"])
        let empty = try TestPaths.temporaryDirectory()
        expectFailure(try sts(empty.path), status: 1, mentions: [empty.path, "not a model folder"])
        let imageText = try TestPaths.temporaryDirectory()
        try #"{"method": "align"}"#.write(to: imageText.appendingPathComponent("image_text_config.json"), atomically: true, encoding: .utf8)
        expectFailure(try sts(imageText.path), status: 1, mentions: ["holds an image-text model, not a sentence encoder"])
    }

    /// Before: a failure under --json printed no JSON at all.
    @Test func jsonFailuresEndStdoutWithAnErrorObject() throws {
        let data = try TestPaths.write("g\tf\t2012\t1\tbad\tA\tB\n", named: "bad.csv")
        let model = try Self.tinyModel()
        func lastObject(_ outcome: Outcome) throws -> [String: Any] {
            let line = try #require(outcome.stdout.split(separator: "\n").last, "stdout: \(outcome.stdout)")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let bad = try run(["eval", "sts", "--model", model.path, "--data", data.path, "--json"])
        #expect(bad.status == 1)
        let object = try lastObject(bad)
        #expect(object["file"] as? String == data.path && object["line"] as? Int == 1 && object["exit_code"] as? Int == 1)
        #expect((object["error"] as? String)?.contains("'bad' is not a number") == true, "\(object)")
        let usage = try run(["eval", "sts", "--json"])
        let usageObject = try lastObject(usage)
        #expect(usage.status == 2 && usageObject["exit_code"] as? Int == 2)
    }

    /// Before: `contrast trian simcse` said "2 unexpected arguments".
    @Test func mistypedCommandsGetTheClosestOne() throws {
        expectFailure(try run(["trian", "simcse"]), status: 2, mentions: ["unknown command 'contrast trian'", "did you mean 'train'?"])
        expectFailure(try run(["train", "simcsee", "--corpus", "x"]), status: 2, mentions: ["did you mean 'simcse'?"])
        expectFailure(try run(["eval", "stss"]), status: 2, mentions: ["did you mean 'sts'?"])
        #expect(try run(["help", "train"]).status == 0)
        #expect(EditDistance.between("trian", "train") == 1 && EditDistance.between("gem", "gemm") == 1)
    }

    /// Before: results went to standard error, so `> file` and `| head` captured nothing.
    @Test func resultsGoToStandardOutput() throws {
        let model = try Self.tinyModel()
        let data = try TestPaths.write("g\tf\t2012\t1\t4.5\tA man plays.\tA person plays.\ng\tf\t2012\t2\t0.5\tA dog runs.\tThe sky is blue.\n", named: "sts.csv")
        let sts = try run(["eval", "sts", "--model", model.path, "--data", data.path, "--quiet"])
        #expect(sts.status == 0 && sts.stdout.contains("Spearman"), "stdout: \(sts.stdout) stderr: \(sts.stderr)")
        let corpus = try TestPaths.write("the cat sat on the mat\na dog barked loudly\nstock markets fell today\n", named: "corpus.txt")
        let search = try run(["search", "--model", model.path, "--corpus", corpus.path, "--query", "a cat", "--top-k", "2", "--quiet"])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stdout.split(separator: "\n").count == 2, "stdout: \(search.stdout)")
        let gemm = try run(["bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--repeats", "1"])
        #expect(gemm.stdout.contains("GFLOP/s"), "stdout: \(gemm.stdout)")
    }
}

extension CommandLineTests {
    @Test func searchReturnsKResultsBestFirstAndReusesItsCache() throws {
        let model = try Self.tinyModel()
        let corpus = try TestPaths.write("the cat sat on the mat\na dog barked loudly\nstock markets fell today\nthe cat sat on the mat again\n", named: "corpus.txt")
        func search() throws -> (results: [[String: Any]], cached: Bool) {
            let outcome = try run(["search", "--model", model.path, "--corpus", corpus.path, "--query", "the cat sat on the mat", "--top-k", "3", "--json", "--quiet"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data((outcome.stdout.split(separator: "\n").last ?? "").utf8)) as! [String: Any]
            return (object["results"] as! [[String: Any]], object["cached"] as! Bool)
        }
        let first = try search()
        #expect(first.results.count == 3)
        #expect(first.results[0]["text"] as? String == "the cat sat on the mat")
        let scores = first.results.map { ($0["score"] as! NSNumber).doubleValue }
        #expect(scores == scores.sorted(by: >))
        #expect(!first.cached)
        let second = try search()
        #expect(second.cached)
        #expect(second.results.map { $0["text"] as! String } == first.results.map { $0["text"] as! String })
        // Editing the corpus invalidates the cache.
        try "another sentence entirely\n".write(to: corpus, atomically: true, encoding: .utf8)
        #expect(try !search().cached)
    }
}

extension CommandLineTests {
    @Test func helpIsPrintedWithExitCodeZero() throws {
        for arguments in [["--help"], ["train", "simcse", "--help"], ["bench", "--help"]] {
            let outcome = try run(arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect((outcome.stdout + outcome.stderr).contains("USAGE: contrast"), "\(arguments)")
        }
    }

    /// Every method's help lists its settings with their defaults, and only its own: a flag it
    /// would ignore is neither listed nor accepted.
    @Test func trainHelpListsEachMethodsSettingsWithDefaults() throws {
        let own = ["simcse": "--hard-negative-weight <float>: ", "esimcse": "--dup-rate <float>: ", "cert": "--finetune-lr <float>: ",
                   "simclr": "--encoder <", "moco": "--queue-size <int>: ", "align": "--grad-cache-chunk <int>: ",
                   "vlmo": "--itm-pairs <int>: ", "albef": "--mlm-probability <float>: "]
        for (method, flag) in own {
            let help = try run(["train", method, "--help"])
            #expect(help.status == 0 && help.stdout.contains(flag) && help.stdout.contains("--lr <float>: "), "\(method): \(help.stdout)")
            #expect(help.stdout.contains("(default: "), "\(method) shows no defaults")
        }
        // The images a default run sees on a caption file: ALIGN's own number, not the others'.
        for (method, images) in [("align", TrainingSettings.alignCaptionsExamples), ("vlmo", TrainingSettings.captionFileExamples),
                                 ("albef", TrainingSettings.captionFileExamples)] {
            let help = try run(["train", method, "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
            #expect(help.contains("on a caption file, \(images) images seen"), "\(method)")
        }
        let simclr = try run(["train", "simclr", "--help"])
        #expect(!simclr.stdout.contains("--grad-cache-chunk") && !simclr.stdout.contains("--eval-data"))
        let refused = try run(["train", "simclr", "--output", "/nonexistent/x", "--grad-cache-chunk", "8"])
        #expect(refused.status == 2 && refused.stderr.contains("unknown option '--grad-cache-chunk' for simclr"), "\(refused.stderr)")
    }

    /// Image and image-text methods evaluate during training too (kNN accuracy, retrieval on the
    /// validation split) and keep the best model in best/.
    @Test(arguments: [(["simclr", "--dataset", "shapes", "--batch-size", "16"], "knn_accuracy"),
                      (["align", "--dataset", "shapes", "--batch-size", "16"], "val_t2i_r1"),
                      (["albef", "--batch-size", "8", "--train-count", "32", "--test-count", "40", "--queue-size", "16"], "val_t2i_r1")])
    func everyMethodEvaluatesDuringTrainingKeepingTheBest(arguments: [String], metric: String) throws {
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let trained = try run(["train"] + arguments + ["--max-steps", "4", "--eval-every", "2", "--output", output.path, "--quiet", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let log = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(log.components(separatedBy: "\"\(metric)\"").count == 3, "two evaluations of \(metric): \(log)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("best/model.safetensors").path))
        let summary = try JSONSerialization.jsonObject(with: Data(try #require(trained.stdout.split(separator: "\n").last).utf8)) as? [String: Any]
        #expect(summary?["best_step"] as? Int != nil, "\(trained.stdout)")
    }

    @Test func trainingWithEvaluationThenReportWritesPlots() throws {
        let corpus = try TestPaths.write((0..<40).map { "sentence number \($0) about topic \($0 % 7)" }.joined(separator: "\n") + "\n", named: "c.txt")
        let sts = try TestPaths.write((0..<12).map { "g\tf\t2012\t\($0)\t\(Double($0 % 6))\tA sentence \($0).\tAnother sentence \($0 % 4)." }.joined(separator: "\n") + "\n", named: "sts.csv")
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let trained = try run(["train", "simcse", "--init", "tiny", "--corpus", corpus.path, "--output", output.path, "--max-steps", "4",
                               "--batch-size", "8", "--max-length", "16", "--eval-data", sts.path, "--eval-every", "2", "--quiet", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let report = try run(["report", output.path, "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        for plot in ["loss.svg", "sts.svg", "alignment_uniformity.svg", "sts_scatter.svg", "report.md"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("plots/\(plot)").path), "missing \(plot)")
        }
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("best/model.safetensors").path))
        // The run's settings and the trained model's config live side by side, and the settings
        // reproduce the run through --config (flags still win).
        let settings = output.appendingPathComponent("training_config.json")
        let saved = try String(contentsOf: settings, encoding: .utf8)
        #expect(saved.contains("\"batch-size\" : 8") && saved.contains("\"max-length\" : 16") && saved.contains("\"corpus\" : \"\(corpus.path)\""))
        #expect(try String(contentsOf: output.appendingPathComponent("config.json"), encoding: .utf8).contains("\"hidden_size\""))
        #expect(try String(contentsOf: output.appendingPathComponent("plots/report.md"), encoding: .utf8).contains("batch-size"))
        let again = output.deletingLastPathComponent().appendingPathComponent("again")
        let rerun = try run(["train", "simcse", "--output", again.path, "--config", settings.path, "--max-steps", "1", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let rerunSettings = try String(contentsOf: again.appendingPathComponent("training_config.json"), encoding: .utf8)
        #expect(rerunSettings.contains("\"batch-size\" : 8") && rerunSettings.contains("\"max-steps\" : 1"))
    }
}

extension CommandLineTests {
    @Test func settingsTheModelCannotHonourAreUsageErrors() throws {
        let corpus = try TestPaths.write("one sentence\ntwo sentences\n", named: "c.txt")
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let outcome = try run(["train", "simcse", "--init", "tiny", "--corpus", corpus.path, "--output", output.path, "--max-length", "4096"])
        expectFailure(outcome, status: 2, mentions: ["--max-length 4096", "512"])
        let empty = try TestPaths.write("\n\n", named: "empty.txt")
        let noData = try run(["train", "simcse", "--init", "tiny", "--corpus", empty.path, "--output", output.path, "--overwrite"])
        expectFailure(noData, status: 1, mentions: ["0 training examples"])
    }
}

extension CommandLineTests {
    @Test func visionBenchmarksPrintOneJSONObjectLast() throws {
        for (arguments, key) in [(["bench", "conv", "--batch-size", "2", "--repeats", "1", "--json"], "convolutions"),
                                 (["bench", "vision", "--batch-size", "2", "--repeats", "1", "--json"], "models"),
                                 (["bench", "vision", "--shape", "resnet8x2", "--batch-size", "2", "--repeats", "1", "--json"], "models")] {
            let outcome = try run(arguments)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let last = outcome.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
            #expect((object?[key] as? [Any])?.isEmpty == false, "\(arguments): \(last)")
        }
        let tooSmall = try run(["bench", "vision", "--batch-size", "1"])
        #expect(tooSmall.status == 2 && tooSmall.stderr.contains("--batch-size must be at least 2"), "\(tooSmall.stderr)")
        let unknown = try run(["bench", "vision", "--shape", "resnet99"])
        #expect(unknown.status == 2 && unknown.stderr.contains("resnet99"), "\(unknown.stderr)")
    }

    @Test func kernelBenchmarkReportsEachOpAtEachRequestedShape() throws {
        let outcome = try run(["bench", "ops", "--shape", "minilm", "--repeats", "1", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let last = outcome.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let ops = try #require((try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])?["ops"] as? [[String: Any]])
        #expect(ops.compactMap { $0["op"] as? String } == ["softmax", "layernorm", "gelu", "dropout"])
        #expect(ops.allSatisfy { $0["shape"] as? String == "minilm" && ($0["ratio_to_copy"] as? Double ?? 0) > 0 })
        // The MiniLM shape's four buffers: 64 x 32 tokens x 384 floats x 4 bytes x 4.
        #expect(ops[1]["working_set_mb"] as? Double == 12.582912)
        let unknown = try run(["bench", "ops", "--shape", "gpt9"])
        #expect(unknown.status == 2 && unknown.stderr.contains("gpt9"), "\(unknown.stderr)")
    }
}

/// `contrast train simclr|moco` and `contrast eval linear-probe` end to end on generated shapes.
@Suite struct ImageCommandTests {
    let cli = CommandLineTests()

    @Test func trainSimCLRThenProbe() throws {
        let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let train = try cli.run(["train", "simclr", "--dataset", "shapes", "--output", run.path, "--max-steps", "2", "--batch-size", "8", "--quiet", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.split(separator: "\n").last?.contains("\"steps\":2") == true, "\(train.stdout)")
        for file in ["config.json", "model.safetensors", "metrics.jsonl", "training_config.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file)")
        }
        let probe = try cli.run(["eval", "linear-probe", "--model", run.path, "--dataset", "shapes", "--train-count", "64", "--test-count", "32",
                                 "--probe-epochs", "2", "--neighbors", "5", "--baseline", "--untrained", "--quiet", "--json"])
        #expect(probe.status == 0, "\(probe.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(probe.stdout.split(separator: "\n").last!.utf8)) as? [String: Any]
        for key in ["accuracy", "knn_accuracy", "raw_pixel_accuracy", "raw_pixel_knn_accuracy", "untrained_accuracy", "untrained_knn_accuracy"] {
            let value = object?[key] as? Double
            #expect(value.map { (0...1).contains($0) } == true, "\(key): \(probe.stdout)")
        }
        #expect(object?["train_examples"] as? Int == 64)
        // The run folder reads as any training run.
        let report = try cli.run(["report", run.path, "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        let summary = try String(contentsOf: run.appendingPathComponent("plots/report.md"), encoding: .utf8)
        #expect(summary.contains("images/s"), "\(summary)")
    }

    @Test func badInputsFailWithOneLine() throws {
        let folder = try TestPaths.temporaryDirectory()
        cli.expectFailure(try cli.run(["eval", "linear-probe", "--model", folder.path, "--dataset", "shapes"]), status: 1, mentions: [folder.path, "config.json"])
        let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        // A missing file is a file problem (exit 1) in every command, with what --dataset accepts.
        cli.expectFailure(try cli.run(["train", "moco", "--dataset", "no-such-file.tsv", "--output", run.path]), status: 1,
                          mentions: ["no-such-file.tsv", "not fashion-mnist, shapes or an existing caption file"])
        cli.expectFailure(try cli.run(["train", "simclr", "--dataset", "shapes", "--output", run.path, "--encoder", "resnet99"]), status: 2, mentions: ["resnet99"])
        let untrainedRaw = try cli.run(["eval", "linear-probe", "--model", "raw", "--untrained"])
        #expect(untrainedRaw.status == 2 && untrainedRaw.stderr.contains("--untrained needs a --model folder"), "\(untrainedRaw.stderr)")
    }
}
