import Foundation
@testable import Methods
import Tensors
import Text
import TestSupport
import Testing

/// `--config` files: JSON and flat YAML give the same settings, keyed by the flags' names; bad
/// files fail with the file and line.
@Suite struct ConfigurationFileTests {
    func write(_ text: String, _ name: String) throws -> URL {
        let url = TestPaths.temporaryPath("config-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func error(_ text: String, _ name: String = "run.yaml") throws -> String {
        var c = TrainingSettings()
        do { try c.apply(contentsOf: try write(text, name)) } catch let e as TextFileError { return e.description }
        Issue.record("no error for \(text)")
        return ""
    }

    @Test func yamlAndJSONGiveTheSameSettings() throws {
        let yaml = try write("""
            ---
            # unsupervised SimCSE, small batch
            method: simcse
            lr: 3.0e-5   # the paper's
            batch-size: 32
            max-grad-norm: null
            grad-cache-chunk: 8
            skip-nonfinite: true
            precision: "bf16"
            augment: 'none'
            corpus: data/wiki/wiki-6400.txt
            """, "run.yaml")
        let json = try write(#"{"method": "simcse", "lr": 3e-5, "batch-size": 32, "max-grad-norm": null, "grad-cache-chunk": 8, "skip-nonfinite": true, "precision": "bf16", "augment": "none", "corpus": "data/wiki/wiki-6400.txt"}"#, "run.json")
        var fromYAML = TrainingSettings(), fromJSON = TrainingSettings()
        fromYAML.maxGradientNorm = 1
        try fromYAML.apply(contentsOf: yaml)
        try fromJSON.apply(contentsOf: json)
        #expect(fromYAML == fromJSON)
        #expect(fromYAML.learningRate == 3e-5 && fromYAML.batchSize == 32 && fromYAML.maxGradientNorm == nil)
        #expect(fromYAML.gradientCacheChunk == 8 && fromYAML.skipNonFinite && fromYAML.precision == .bf16)
        #expect(fromYAML.corpus == "data/wiki/wiki-6400.txt" && fromYAML.epochs == TrainingSettings().epochs)
    }

    @Test func flatYAMLTypesScalarsAsYAMLDoes() throws {
        let text = "a: 12\nb: -1.5e3\nc: true\nd: ~\ne: hello world\nf: \"x # not a comment\"\ng: 'it''s'\nh: .5\ni: 1.0.0"
        let values = try FlatYAML.read(write(text, "scalars.yaml")).mapValues(\.value)
        #expect(values == ["a": "12", "b": "-1.5e3", "c": "true", "d": "none", "e": "hello world", "f": "x # not a comment", "g": "it's",
                           "h": ".5", "i": "1.0.0"])
    }

    @Test func badFilesNameTheFileTheLineAndTheProblem() throws {
        #expect(try error("batch-size: 8\n  nested: 1\n").contains(":2: nested values are not supported"))
        #expect(try error("batch-size 8\n").contains(":1: expected 'key: value'"))
        #expect(try error("batch-size: 8\nbatch-size: 9\n").contains(":2: duplicate key 'batch-size'"))
        #expect(try error("augment: [a, b]\n").contains("lists, mappings"))
        #expect(try error("augment: \"none\n").contains("unterminated quoted string"))
        #expect(try error("batch-size:\n").contains("missing value"))
        #expect(try error("lr: 1\nbatchsize: 8\n").contains(":2: unknown setting 'batchsize' for simcse (did you mean 'batch-size'?)"))
        #expect(try error("batch-size: eight\n").contains(":1: batch-size should be a <int>"))
        #expect(try error("lr: .nan\n").contains(":1: lr should be a <float>"))
        #expect(try error("precision: fp16\n").contains("precision should be a <fp32|bf16>"))
        #expect(try error("skip-nonfinite: 1\n").contains("skip-nonfinite should be a boolean"))
        #expect(try error("queue-size: 8\n").contains("unknown setting 'queue-size' for simcse"), "ESimCSE's setting is not SimCSE's")
        #expect(try error("method: esimcse\n").contains("the settings of a esimcse run, not of simcse"))
        #expect(try error("[1, 2]", "run.json").contains("the top level should be an object"))
        #expect(try error(#"{"lr": [1]}"#, "run.json").contains("lr should be a <float>"))
        var c = TrainingSettings()
        #expect(throws: TextFileError(file: URL(fileURLWithPath: "/nonexistent/run.yaml"), .missingFile)) {
            try c.apply(contentsOf: URL(fileURLWithPath: "/nonexistent/run.yaml"))
        }
    }

    @Test func flagsReadAsTheFileDoes() throws {
        var c = TrainingSettings()
        try c.apply(arguments: ["--lr", "1e-4", "--max-steps=7", "--hard-negative-weight", "-0.5", "--skip-nonfinite", "--max-grad-norm", "none",
                                "--pooling", "mean"])
        #expect(c.learningRate == 1e-4 && c.maxSteps == 7 && c.hardNegativeWeight == -0.5 && c.skipNonFinite && c.maxGradientNorm == nil && c.pooling == .mean)
        #expect(throws: SettingsError(description: "unknown option '--lrr' for simcse (did you mean 'lr'?)")) { try c.apply(arguments: ["--lrr", "1"]) }
        #expect(throws: SettingsError(description: "--lr: 'inf' is not a finite float")) { try c.apply(arguments: ["--lr", "inf"]) }
        #expect(throws: SettingsError(description: "missing value for '--lr <float>'")) { try c.apply(arguments: ["--lr"]) }
        #expect(throws: SettingsError(description: "unexpected argument 'x'")) { try c.apply(arguments: ["x"]) }
    }

    /// Each setting is checked where it is declared, and only a method's own settings are.
    @Test func problemsNameTheFlag() throws {
        var c = TrainingSettings()
        try c.apply(arguments: ["--lr", "0", "--max-steps", "0"])
        c.momentum = 2
        #expect(c.valueProblems == ["max-steps must be at least 1", "lr must be positive"], "SimCSE has no momentum setting")
        c.method = "esimcse"
        #expect(c.valueProblems.contains("momentum must be in [0, 1)"))
        c.fineTuningData = "sick.txt"
        c.method = "cert"
        #expect(c.valueProblems.last == "give both --finetune-data and --finetune-eval, or neither")
    }
}

/// What a run folder records of its settings, and what a resumed run may change.
@Suite struct RecordedSettingsTests {
    /// Every method's settings, a few changed from its defaults.
    static func everyMethod() -> [TrainingSettings] {
        var simcse = TrainingSettings(), esimcse = TrainingSettings(method: "esimcse"), cert = TrainingSettings(method: "cert")
        (simcse.maxGradientNorm, simcse.model, simcse.evaluationFormat) = (nil, "models/m", .sick)
        (simcse.matryoshkaDimensions, simcse.matryoshkaWeights, simcse.truncateDimension) = (SettingList([384, 128, 64]), SettingList([1, 0.5, 0.25]), 128)
        esimcse.duplicationRate = 0.2
        cert.fineTuningData = "sick.txt"
        var simclr = TrainingSettings(method: "simclr"), moco = TrainingSettings(method: "moco")
        (simclr.encoder, simclr.imageAugmentation) = (.resnet8, .simclr)
        moco.queueSize = 64
        var align = TrainingSettings(method: "align"), vlmo = TrainingSettings(method: "vlmo")
        (align.epochs, align.gradientCacheChunk, align.model) = (4, 16, "models/clip")
        vlmo.matchingWeight = 0.5
        var albef = TrainingSettings(method: "albef")
        (albef.captionNegatives, albef.dataset, albef.learningRate) = (false, "captions.tsv", 3e-4)
        return [simcse, esimcse, cert, simclr, moco, align, vlmo, albef]
    }

    /// Before: `training_config.json` left out disabled settings, so replaying it turned clipping
    /// back on; now every method's file replays to the same settings, and its keys are the flags'.
    @Test(arguments: everyMethod()) func recordedSettingsReplayExactly(settings: TrainingSettings) throws {
        let folder = TestPaths.temporaryPath("settings")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try settings.write(to: folder)
        #expect(try TrainingSettings.saved(in: folder, over: TrainingSettings(method: settings.method)) == settings, "\(settings.method)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(TrainingSettings.fileName))) as! [String: Any]
        #expect(Set(object.keys) == Set(settings.settings.map(\.name) + ["method"]))
    }

    @Test func disabledSettingsAreRecordedAsNull() throws {
        var c = TrainingSettings()
        c.maxGradientNorm = nil
        #expect(c.values["max-grad-norm"] is NSNull && c.values["lr"] as? Double == 3e-5)
    }

    @Test func conflictsListWhatWouldChangeTheRun() throws {
        let saved = TrainingSettings()
        var resumed = saved
        resumed.maxSteps = 500
        resumed.evaluateEvery = 10
        resumed.checkpointMinutes = 1
        #expect(resumed.conflicts(withSaved: saved).isEmpty)
        resumed.batchSize = 128
        resumed.corpus = "other.txt"
        resumed.maxGradientNorm = nil
        #expect(resumed.conflicts(withSaved: saved) == ["batch-size: 64 → 128", "corpus: none → other.txt", "max-grad-norm: 1.0 → none"])
    }

    /// Fine-tuning CLIP (`align --model`) starts from CLIP fine-tuning's learning rate; ALIGN
    /// from scratch and the other methods keep theirs, and only ALIGN has the setting.
    @Test func clipFineTuningHasItsOwnLearningRate() {
        #expect(TrainingSettings(method: "align", fineTuning: true).learningRate == 1e-5)
        #expect(TrainingSettings(method: "align").learningRate == 1e-3 && TrainingSettings(method: "simcse", fineTuning: true).learningRate == 3e-5)
        var align = TrainingSettings(method: "align")
        #expect(!align.fineTunesCLIP)
        align.model = "models/clip"
        #expect(align.fineTunesCLIP && align.settings.map(\.name).contains("model"))
        #expect(!TrainingSettings(method: "vlmo").settings.map(\.name).contains("model"))
    }

    /// Each method lists the shared settings once and only its own besides.
    @Test func eachMethodListsItsOwnSettings() {
        let names = Self.everyMethod().map { settings in (settings.method, settings.settings.map(\.name)) }
        let shared = ["epochs", "seed", "max-steps", "batch-size", "lr", "weight-decay", "schedule", "max-grad-norm", "skip-nonfinite", "precision",
                      "checkpoint-every", "checkpoint-minutes"]
        for (method, list) in names {
            #expect(Set(list).count == list.count, "\(method) lists a setting twice")
            #expect(Set(shared).isSubset(of: list), "\(method) lacks a shared setting")
        }
        let byMethod = Dictionary(names, uniquingKeysWith: { a, _ in a })
        #expect(byMethod["simcse"]!.contains("hard-negative-weight") && !byMethod["simcse"]!.contains("queue-size"))
        #expect(byMethod["esimcse"]!.contains("dup-rate") && !byMethod["esimcse"]!.contains("pairs"))
        #expect(byMethod["cert"]!.contains("finetune-data") && !byMethod["cert"]!.contains("dup-rate"))
        #expect(byMethod["moco"]!.contains("queue-size") && !byMethod["simclr"]!.contains("queue-size"))
        #expect(byMethod["align"]!.contains("grad-cache-chunk") && !byMethod["vlmo"]!.contains("grad-cache-chunk"), "BatchNorm: VLMo cannot cache gradients")
        #expect(!byMethod["simclr"]!.contains("grad-cache-chunk") && !byMethod["albef"]!.contains("grad-cache-chunk"))
        #expect(byMethod["vlmo"]!.contains("itm-weight") && !byMethod["align"]!.contains("itm-weight"))
    }
}
