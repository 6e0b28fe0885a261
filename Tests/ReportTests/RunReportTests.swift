import Evaluation
import Foundation
import TestSupport
import Testing

@Suite struct RunReportTests {
    /// Evaluation steps and their STS metrics; uniformity goes back and forth so a trajectory
    /// sorted by x would differ from one in step order.
    static let evaluations: [(step: Int, spearman: Double, alignment: Double, uniformity: Double)] = [
        (5, 70.0, 0.30, -2.0), (10, 80.0, 0.25, -2.6), (15, 85.0, 0.22, -2.4), (20, 84.0, 0.20, -2.8),
    ]

    /// A metrics log as the trainer writes it: sorted keys, one line per record, 20 steps.
    static func metricsLog() -> String {
        var lines: [String] = []
        for step in 1...20 {
            let lr = 3e-5 * Double(20 - step + 1) / 20
            lines.append("{\"loss\":\(1.0 / Double(step)),\"lr\":\(lr),\"sentences_per_s\":\(20.0 + Double(step)),\"step\":\(step)}")
            if let e = evaluations.first(where: { $0.step == step }) {
                lines.append("{\"step\":\(step),\"sts_alignment\":\(e.alignment),\"sts_pairs\":1500,\"sts_pearson\":\(e.spearman - 1),"
                             + "\"sts_spearman\":\(e.spearman),\"sts_uniformity\":\(e.uniformity)}")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A run folder with `metrics` as its log and a small training_config.json.
    static func run(metrics: String = metricsLog()) throws -> URL {
        let run = try TestPaths.temporaryDirectory().appendingPathComponent("simcse-run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try metrics.write(to: run.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        try #"{"batchSize":64,"learningRate":3e-05,"method":"simcse","note":"a|b"}"#
            .write(to: run.appendingPathComponent("training_config.json"), atomically: true, encoding: .utf8)
        return run
    }

    @Test func writesTheExpectedFiles() throws {
        let run = try Self.run()
        let files = try RunReport(run: run).write()
        let plots = run.appendingPathComponent("plots")
        #expect(files.plots.map(\.lastPathComponent) == ["loss.svg", "sts.svg", "alignment_uniformity.svg"])
        #expect(files.plots.allSatisfy { $0.deletingLastPathComponent().path == plots.path })
        #expect(files.summary.path == plots.appendingPathComponent("report.md").path)
        #expect(FileManager.default.fileExists(atPath: files.summary.path))
    }

    @Test func lossPlotHasBothSeriesAndAxes() throws {
        let run = try Self.run()
        _ = try RunReport(run: run).write()
        let svg = try ParsedSVG(contentsOf: run.appendingPathComponent("plots/loss.svg"))
        #expect(svg.texts(class: "title") == ["Training loss and learning rate"])
        #expect(svg.texts(class: "axis-label") == ["step", "loss", "learning rate"])
        #expect(svg.elements(class: "legend-entry").count == 2)
        #expect(svg.elements.filter { $0.name == "text" }.map(\.text).contains("learning rate (right axis)"))
        let paths = svg.elements(class: "series")
        #expect(paths.count == 2)
        #expect(paths.map { ParsedSVG.pathPoints($0).count } == [20, 20])
        // The learning rate has its own axis, labelled in exponent form.
        #expect(svg.elements(class: "y-axis-secondary").count == 1)
        #expect(svg.texts(class: "tick-label").contains("3e-05"))
    }

    @Test func stsPlotHasOnePointPerEvaluation() throws {
        let run = try Self.run()
        _ = try RunReport(run: run).write()
        let svg = try ParsedSVG(contentsOf: run.appendingPathComponent("plots/sts.svg"))
        #expect(svg.texts(class: "axis-label") == ["step", "Spearman x100"])
        #expect(svg.elements(class: "series").count == 1)
        let points = svg.elements(class: "point")
        #expect(points.count == Self.evaluations.count)
        // The best evaluation (step 15) is drawn highest.
        let heights = points.map { Double($0.attributes["cy"]!)! }
        #expect(heights.firstIndex(of: heights.min()!) == 2)
    }

    @Test func alignmentUniformityTrajectoryFollowsSteps() throws {
        let run = try Self.run()
        _ = try RunReport(run: run).write()
        let svg = try ParsedSVG(contentsOf: run.appendingPathComponent("plots/alignment_uniformity.svg"))
        #expect(svg.texts(class: "axis-label") == ["uniformity", "alignment"])
        #expect(svg.texts(class: "point-label") == ["5", "10", "15", "20"])
        let points = svg.elements(class: "point").map { (x: Double($0.attributes["cx"]!)!, y: Double($0.attributes["cy"]!)!) }
        let path = ParsedSVG.pathPoints(try #require(svg.elements(class: "series").first))
        #expect(path.map(\.x) == points.map(\.x) && path.map(\.y) == points.map(\.y))
        // Joined in step order, not sorted by x: uniformity -2.0, -2.6, -2.4, -2.8.
        #expect(points[0].x > points[2].x && points[2].x > points[1].x && points[1].x > points[3].x)
        // Alignment falls at every evaluation, so each point is lower (larger y) than the last.
        #expect(points.map(\.y) == points.map(\.y).sorted())
    }

    @Test func summaryReportsStepsSTSLossThroughputSettingsAndPlots() throws {
        let run = try Self.run()
        let files = try RunReport(run: run).write()
        let markdown = try String(contentsOf: files.summary, encoding: .utf8)
        #expect(markdown.hasPrefix("# Run report: simcse-run\n"))
        #expect(markdown.contains("- Steps: 20 (20 step records, 4 evaluations)"))
        #expect(markdown.contains("- Final loss: 0.0500 (step 20)"))
        #expect(markdown.contains("- Throughput: 30.5 sentences/s (median over steps)"))
        #expect(markdown.contains("final 84.00 (step 20), best 85.00 (step 15)"))
        #expect(markdown.contains("| batchSize | 64 |"))
        #expect(markdown.contains("| method | \"simcse\" |"))
        #expect(markdown.contains(#"| note | "a\|b" |"#))
        #expect(markdown.contains("- [Training loss and learning rate](loss.svg)"))
        #expect(markdown.contains("(alignment_uniformity.svg)"))
        #expect(!markdown.contains("sts_scatter.svg"))
    }

    @Test func imageRunsReportImagesPerSecond() throws {
        // Image methods log `images_per_s` and no evaluations.
        let log = (1...4).map { "{\"images_per_s\":\(100 + $0),\"loss\":\(6.0 - Double($0)),\"lr\":0.001,\"step\":\($0)}" }.joined(separator: "\n") + "\n"
        let run = try Self.run(metrics: log)
        let metrics = try RunMetrics.read(run.appendingPathComponent("metrics.jsonl"))
        #expect(metrics.steps.map(\.unit) == Array(repeating: "images", count: 4))
        #expect(metrics.steps.map(\.examplesPerSecond) == [101, 102, 103, 104])
        let markdown = try String(contentsOf: RunReport(run: run).write().summary, encoding: .utf8)
        #expect(markdown.contains("- Throughput: 102.5 images/s (median over steps)"))
        #expect(markdown.contains("- Final loss: 2.0000 (step 4)"))
        #expect(!markdown.contains("STS Spearman"))
    }

    @Test func stepWithoutOneThroughputIsMalformed() throws {
        let log = "{\"images_per_s\":1,\"loss\":1,\"lr\":0.1,\"sentences_per_s\":2,\"step\":1}\n"
        let error = #expect(throws: RunReportError.self) { try RunMetrics(parsing: log, path: "m.jsonl") }
        #expect(error?.description == "m.jsonl:1: expected one throughput \"<unit>_per_s\", found 2")
    }

    @Test func scatterPlotWhenPredictionsArePresent() throws {
        let run = try Self.run()
        let gold = (0..<50).map { Double($0) / 10 }
        try STSPredictions(gold: gold, predicted: gold.map { 0.2 + $0 / 6 }).write(to: run.appendingPathComponent(STSPredictions.fileName))
        let files = try RunReport(run: run).write()
        #expect(files.plots.last?.lastPathComponent == "sts_scatter.svg")
        let svg = try ParsedSVG(contentsOf: run.appendingPathComponent("plots/sts_scatter.svg"))
        #expect(svg.texts(class: "axis-label") == ["gold score", "predicted cosine similarity"])
        #expect(svg.texts(class: "subtitle") == ["50 pairs, Spearman 100.00"])
        #expect(svg.elements(class: "point").count == 50)
        #expect(svg.elements(class: "series").isEmpty)

        // Without the file, a new report drops the stale plot.
        try FileManager.default.removeItem(at: run.appendingPathComponent(STSPredictions.fileName))
        #expect(try RunReport(run: run).write().plots.count == 3)
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("plots/sts_scatter.svg").path))
    }

    @Test func predictionsOfUnequalLengthAreRejected() throws {
        let run = try Self.run()
        let file = run.appendingPathComponent(STSPredictions.fileName)
        try #"{"gold": [1, 2], "predicted": [0.5]}"#.write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: RunReportError.self) { try RunReport(run: run).write() }
        #expect(error?.description == "\(file.path): 2 gold and 1 predicted scores (need equal, non-zero counts)")
    }

    @Test func truncatedLastLineIsSkipped() throws {
        let run = try Self.run(metrics: Self.metricsLog() + #"{"loss":0.04,"lr":1.2e-"#)
        let files = try RunReport(run: run).write()
        let metrics = try RunMetrics.read(run.appendingPathComponent("metrics.jsonl"))
        #expect(metrics.skippedTruncatedLine)
        #expect((metrics.steps.count, metrics.evaluations.count) == (20, 4))
        #expect(try String(contentsOf: files.summary, encoding: .utf8).contains("was cut short"))
        #expect(ParsedSVG.pathPoints(try ParsedSVG(contentsOf: files.plots[0]).elements(class: "series")[0]).count == 20)
    }

    @Test func malformedMiddleLineThrowsNamingFileAndLine() throws {
        var lines = Self.metricsLog().split(separator: "\n").map(String.init)
        lines[2] = #"{"loss":0.3,"lr":oops,"step":3}"#
        let run = try Self.run(metrics: lines.joined(separator: "\n") + "\n")
        let path = run.appendingPathComponent("metrics.jsonl").path
        let error = #expect(throws: RunReportError.self) { try RunReport(run: run).write() }
        #expect(error == .malformedLine(path: path, line: 3, reason: "not a JSON object of numbers"))
        #expect(error?.description == "\(path):3: not a JSON object of numbers")
    }

    @Test func onlyAnUnterminatedLastLineCountsAsTruncated() throws {
        // A bad last line that ends in a newline was written whole: it is an error, not a crash.
        let log = Self.metricsLog() + "{\"loss\":0.1,\"step\":21}\n"
        let error = #expect(throws: RunReportError.self) { try RunMetrics(parsing: log, path: "m.jsonl") }
        #expect(error == .malformedLine(path: "m.jsonl", line: 25, reason: "missing \"lr\""))
    }

    @Test func recordsNeedAWholeStep() throws {
        let error = #expect(throws: RunReportError.self) { try RunMetrics(parsing: "{\"step\":1.5,\"sts_spearman\":80}\n", path: "m.jsonl") }
        #expect(error?.description == "m.jsonl:1: \"step\" is not a whole number of steps")
    }

    @Test func emptyOrMissingLogIsAnError() throws {
        let run = try Self.run(metrics: "\n")
        let error = #expect(throws: RunReportError.self) { try RunReport(run: run).write() }
        #expect(error?.description == "\(run.appendingPathComponent("metrics.jsonl").path): has no records")
        let empty = try TestPaths.temporaryDirectory()
        let missing = #expect(throws: RunReportError.self) { try RunReport(run: empty).write() }
        #expect(missing == .unreadable(path: empty.appendingPathComponent("metrics.jsonl").path))
    }
}
