import Foundation
@testable import Methods
import Tensors
import Testing

/// `--config` files: JSON and flat YAML give the same settings; bad files fail with the file and line.
@Suite struct ConfigurationFileTests {
    func write(_ text: String, _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func error(_ text: String, _ name: String = "run.yaml") throws -> String {
        var c = TrainingConfiguration()
        do { try c.apply(contentsOf: try write(text, name)) } catch let e as TrainingError { return e.description }
        Issue.record("no error for \(text)")
        return ""
    }

    @Test func yamlAndJSONGiveTheSameSettings() throws {
        let yaml = try write("""
            ---
            # unsupervised SimCSE, small batch
            method: simcse
            learningRate: 3.0e-5   # the paper's
            batchSize: 32
            maxGradientNorm: null
            gradientCacheChunk: 8
            stopOnNonFinite: false
            precision: "bf16"
            augmentation: 'none'
            """, "run.yaml")
        let json = try write(#"{"method": "simcse", "learningRate": 3e-5, "batchSize": 32, "maxGradientNorm": null, "gradientCacheChunk": 8, "stopOnNonFinite": false, "precision": "bf16", "augmentation": "none"}"#, "run.json")
        var fromYAML = TrainingConfiguration(), fromJSON = TrainingConfiguration()
        fromYAML.maxGradientNorm = 1
        try fromYAML.apply(contentsOf: yaml)
        try fromJSON.apply(contentsOf: json)
        #expect(fromYAML == fromJSON)
        #expect(fromYAML.learningRate == 3e-5 && fromYAML.batchSize == 32 && fromYAML.maxGradientNorm == nil)
        #expect(fromYAML.gradientCacheChunk == 8 && !fromYAML.stopOnNonFinite && fromYAML.precision == .bf16)
        #expect(fromYAML.epochs == TrainingConfiguration().epochs)
    }

    @Test func flatYAMLTypesScalarsAsYAMLDoes() throws {
        let values = try FlatYAML.parse("a: 12\nb: -1.5e3\nc: true\nd: ~\ne: hello world\nf: \"x # not a comment\"\ng: 'it''s'\nh: .5\ni: 1.0.0\n")
        #expect(values["a"] as? Int == 12 && values["b"] as? Double == -1500 && values["c"] as? Bool == true)
        #expect(values["d"] is NSNull && values["e"] as? String == "hello world" && values["f"] as? String == "x # not a comment")
        #expect(values["g"] as? String == "it's" && values["h"] as? Double == 0.5 && values["i"] as? String == "1.0.0")
    }

    @Test func badFilesNameTheFileTheLineAndTheProblem() throws {
        #expect(try error("batchSize: 8\n  nested: 1\n").contains("line 2: nested values are not supported"))
        #expect(try error("batchSize 8\n").contains("line 1: expected 'key: value'"))
        #expect(try error("batchSize: 8\nbatchSize: 9\n").contains("line 2: duplicate key 'batchSize'"))
        #expect(try error("augmentation: [a, b]\n").contains("lists, mappings"))
        #expect(try error("method: \"simcse\n").contains("unterminated quoted string"))
        #expect(try error("batchSize:\n").contains("missing value"))
        #expect(try error("batchsize: 8\n").contains("unknown setting 'batchsize'"))
        #expect(try error("batchSize: eight\n").contains("setting 'batchSize' has the wrong type"))
        #expect(try error("precision: fp16\n").contains("setting 'precision' has the wrong type or value"))
        #expect(try error("[1, 2]", "run.json").contains("is not a JSON object"))
        let missing = URL(fileURLWithPath: "/nonexistent/run.yaml")
        var c = TrainingConfiguration()
        #expect(throws: TrainingError.invalidSetup("/nonexistent/run.yaml: cannot be read")) { try c.apply(contentsOf: missing) }
    }
}

/// What a run folder records of its settings, and what a resumed run may change.
@Suite struct RecordedSettingsTests {
    /// Before: `training_config.json` left out disabled settings, so replaying it turned clipping back on.
    @Test func recordedSettingsReplayDisabledOnesAsDisabled() throws {
        var c = TrainingConfiguration()
        c.maxGradientNorm = nil
        c.checkpointMinutes = nil
        c.batchSize = 16
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try c.write(to: folder)
        let text = try String(contentsOf: folder.appendingPathComponent(TrainingConfiguration.fileName), encoding: .utf8)
        #expect(text.contains("\"maxGradientNorm\" : null"))
        #expect(try TrainingConfiguration.saved(in: folder) == c)
    }

    @Test func conflictsListWhatWouldChangeTheRun() throws {
        let saved = TrainingConfiguration()
        var resumed = saved
        resumed.maxSteps = 500
        resumed.evaluateEvery = 10
        resumed.checkpointMinutes = 1
        #expect(try resumed.conflicts(withSaved: saved).isEmpty)
        resumed.batchSize = 128
        resumed.method = "esimcse"
        resumed.maxGradientNorm = nil
        #expect(try resumed.conflicts(withSaved: saved) == ["batchSize: 64 → 128", "maxGradientNorm: 1 → none", "method: simcse → esimcse"])
    }
}
