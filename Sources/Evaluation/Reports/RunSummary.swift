import Foundation

/// The Markdown summary of a run: how far it got, its final and best STS, its final loss and
/// throughput, its settings, and links to the plots beside it.
struct RunSummary {
    let runName: String
    let metrics: RunMetrics
    let evaluator: String
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
        let spearman = metrics.values(of: "\(evaluator)_spearman")
        if let final = spearman.last {
            // The first of equal values, as the trainer keeps the first best model.
            let best = spearman.reduce(final) { best, next in next.value > best.value || (next.value == best.value && next.step < best.step) ? next : best }
            lines.append("- STS Spearman (\(evaluator)): final \(fixed(final.value, 2)) (step \(final.step)), best \(fixed(best.value, 2)) (step \(best.step))")
        } else if metrics.steps.last.map({ $0.unit == "sentences" }) ?? true {
            // Only text runs evaluate STS; an image run's report has nothing to say about it.
            lines.append("- STS Spearman (\(evaluator)): no evaluations logged")
        }
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

    private func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// A table cell: a `|` would end it early.
    private func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
