import Foundation

/// The Markdown summary of a run: how far it got, its final and best STS or retrieval nDCG, its
/// final loss and throughput, its settings, and links to the plots beside it.
struct RunSummary {
    /// The retrieval metric the summary reports (and the trainer keeps `best/` by).
    static let retrievalMetric = "ndcg_at_10"

    let runName: String
    let metrics: RunMetrics
    let evaluator: String
    /// Prefix of the retrieval metrics, when the log has some.
    let retrieval: String?
    let settings: RunSettings?
    /// Plot files (names relative to the summary) with their captions.
    let plots: [(file: String, caption: String)]

    var markdown: String {
        var lines = ["# Run report: \(runName)", ""]
        let lastStep = max(metrics.steps.map(\.step).max() ?? 0, metrics.evaluations.map(\.step).max() ?? 0)
        lines.append("- Steps: \(lastStep) (\(metrics.steps.count) step records, \(metrics.evaluations.count) evaluations)")
        if let last = metrics.steps.last {
            lines.append("- Final loss: \(fixed(last.loss, 4)) (step \(last.step))")
            lines.append("- Throughput: \(fixed(median(metrics.steps.map(\.examplesPerSecond)), 1)) \(last.unit)/s (median over steps)")
        }
        if let line = finalAndBest("STS Spearman (\(evaluator))", "\(evaluator)_spearman", digits: 2) {
            lines.append(line)
        } else if retrieval == nil && (metrics.steps.last.map({ $0.unit == "sentences" }) ?? true) {
            // Only text runs evaluate STS; an image run's report has nothing to say about it.
            lines.append("- STS Spearman (\(evaluator)): no evaluations logged")
        }
        if let line = finalAndBest("Validation text-to-image R@1", LearningCurve.validationMetric, digits: 4) { lines.append(line) }
        if let retrieval, let line = finalAndBest("Retrieval nDCG@10 (\(retrieval))", "\(retrieval)_\(Self.retrievalMetric)", digits: 4) {
            lines.append(line)
        }
        if let warning = LearningCurve.stillLearning(metrics) { lines.append("- **Warning:** \(warning)") }
        if metrics.skippedTruncatedLine {
            lines.append("- The last line of metrics.jsonl was cut short (the run stopped while writing it) and was skipped.")
        }
        lines += ["", "## Settings", ""]
        if let settings {
            lines += ["| Setting | Value |", "|---|---|"]
            lines += settings.rows.map { "| \(cell($0.name)) | \(cell($0.value)) |" }
        } else {
            lines.append("No config.json in the run folder.")
        }
        lines += ["", "## Plots", ""]
        lines += plots.isEmpty ? ["No plots: the log has no data to plot."] : plots.map { "- [\($0.caption)](\($0.file))" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `- title: final x (step s), best y (step t)` for `metric`, `nil` when the log lacks it.
    private func finalAndBest(_ title: String, _ metric: String, digits: Int) -> String? {
        let values = metrics.values(of: metric)
        guard let final = values.last else { return nil }
        // The first of equal values, as the trainer keeps the first best model.
        let best = values.reduce(final) { best, next in next.value > best.value || (next.value == best.value && next.step < best.step) ? next : best }
        return "- \(title): final \(fixed(final.value, digits)) (step \(final.step)), best \(fixed(best.value, digits)) (step \(best.step))"
    }

    private func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// A table cell: a `|` would end it early.
    private func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
