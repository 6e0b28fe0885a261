import Foundation

/// Plots and a Markdown summary of a training run folder, written to `<run>/plots/`:
///
/// - `loss.svg`: training loss and learning rate over steps;
/// - `sts.svg`: STS Spearman over steps, when the log has evaluations;
/// - `retrieval.svg`: nDCG@10 and MRR@10 over steps, when the log has retrieval evaluations
///   (`ir_ndcg_at_10`, ...);
/// - `alignment_uniformity.svg`: the alignment-uniformity trajectory (SimCSE's Figure 2), when
///   evaluations report both;
/// - `sts_scatter.svg`: predicted cosine against gold score, when the run folder has
///   ``STSPredictions/fileName`` (see ``STSPredictions``);
/// - `report.md`: steps, final and best STS (or nDCG@10), final loss, throughput, settings, links to the plots.
///
/// ```swift
/// let files = try RunReport(run: URL(fileURLWithPath: "runs/simcse")).write()
/// print(files.summary.path)   // runs/simcse/plots/report.md
/// ```
public struct RunReport: Sendable {
    /// What ``write()`` wrote.
    public struct Files: Sendable, Equatable {
        /// The SVG plots, in the order listed above.
        public let plots: [URL]
        /// The Markdown summary.
        public let summary: URL
    }

    /// The run folder (holding `metrics.jsonl`, and usually `config.json`).
    public let run: URL
    /// Prefix of the STS metrics in the log (`sts` for `sts_spearman`, as `contrast train` names
    /// them); `nil`: the first one the log holds.
    public let evaluator: String?

    /// A report on the run in `run`.
    public init(run: URL, evaluator: String? = nil) {
        self.run = run
        self.evaluator = evaluator
    }

    /// Where the report goes.
    public var folder: URL { run.appendingPathComponent("plots") }

    /// Reads the run's files and writes the plots and summary, replacing an earlier report's
    /// (a plot the run no longer has data for is removed, so none is left stale).
    ///
    /// - Throws: ``RunReportError`` for a missing or malformed `metrics.jsonl`, `config.json` or
    ///   `sts_predictions.json`, one with no records, or an `evaluator` the log does not hold
    ///   while it holds others; file-system errors when writing.
    public func write() throws -> Files {
        let metricsFile = run.appendingPathComponent("metrics.jsonl")
        let metrics = try RunMetrics.read(metricsFile)
        guard !metrics.steps.isEmpty || !metrics.evaluations.isEmpty else {
            throw RunReportError.malformedFile(path: metricsFile.path, reason: "has no records")
        }
        let predictionsFile = run.appendingPathComponent(STSPredictions.fileName)
        let predictions = FileManager.default.fileExists(atPath: predictionsFile.path) ? try STSPredictions.read(predictionsFile) : nil
        let settings = try RunSettings.read(run.appendingPathComponent(RunSettings.fileName))

        let evaluator = try chosenEvaluator(in: metrics, file: metricsFile)
        let retrieval = Self.prefixes(in: metrics, of: RunSummary.retrievalMetric).first
        let charts = RunCharts(metrics: metrics, evaluator: evaluator, retrieval: retrieval)
        let planned: [(file: String, caption: String, chart: Chart?)] = [
            ("loss.svg", "Training loss and learning rate", charts.loss),
            ("sts.svg", "STS Spearman over steps", charts.sts),
            ("retrieval.svg", "Retrieval nDCG@10 and MRR@10 over steps", charts.retrievalChart),
            ("alignment_uniformity.svg", "Alignment-uniformity trajectory", charts.alignmentUniformity),
            ("sts_scatter.svg", "Predicted cosine against gold score", predictions.map(RunCharts.scatter)),
        ]
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [(file: String, caption: String)] = []
        for plot in planned {
            let url = folder.appendingPathComponent(plot.file)
            if let chart = plot.chart {
                try chart.svg().write(to: url, atomically: true, encoding: .utf8)
                written.append((plot.file, plot.caption))
            } else if fm.fileExists(atPath: url.path) {
                try fm.removeItem(at: url)
            }
        }
        let summary = folder.appendingPathComponent("report.md")
        let markdown = RunSummary(runName: run.standardizedFileURL.lastPathComponent, metrics: metrics, evaluator: evaluator,
                                  retrieval: retrieval, settings: settings, plots: written).markdown
        try markdown.write(to: summary, atomically: true, encoding: .utf8)
        return Files(plots: written.map { folder.appendingPathComponent($0.file) }, summary: summary)
    }

    /// `evaluator`, or the first evaluator whose Spearman the log holds (`sts` when it holds none).
    private func chosenEvaluator(in metrics: RunMetrics, file: URL) throws -> String {
        let known = Self.prefixes(in: metrics, of: "spearman")
        guard let evaluator else { return known.first ?? "sts" }
        guard known.isEmpty || known.contains(evaluator) else {
            throw RunReportError.malformedFile(path: file.path, reason: "holds no '\(evaluator)' evaluations (it has: \(known.joined(separator: ", ")))")
        }
        return evaluator
    }

    /// The prefixes of the log's `<prefix>_<metric>` keys, sorted.
    private static func prefixes(in metrics: RunMetrics, of metric: String) -> [String] {
        let suffix = "_" + metric
        return Set(metrics.evaluations.flatMap(\.metrics.keys).filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }).sorted()
    }
}
