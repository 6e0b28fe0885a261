import ArgumentParser
import Evaluation
import Foundation

/// `contrast report`: plots and a Markdown summary of a training run folder.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Plot a training run and summarise it in Markdown.",
        discussion: """
            Reads RUN_DIR/metrics.jsonl (a last line cut short by a crash is skipped) and \
            RUN_DIR/training_config.json, and writes RUN_DIR/plots/: loss.svg (loss and learning rate), \
            sts.svg (STS Spearman per evaluation), retrieval.svg (nDCG@10 and MRR@10 per retrieval evaluation), \
            alignment_uniformity.svg (SimCSE's \
            alignment-uniformity trajectory), sts_scatter.svg (when RUN_DIR/sts_predictions.json \
            holds {"gold": [...], "predicted": [...]}) and report.md.
            """)

    @Argument(help: "The run folder (as written by contrast train).") var runDirectory: String
    @Option(help: "Prefix of the STS metrics to plot (sts for sts_spearman; default: the one the log holds).") var evaluator: String?
    @Flag(help: "Do not list the files written.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func run() throws {
        let run = URL(fileURLWithPath: runDirectory)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: run.path, isDirectory: &isFolder) else { throw CLIError.data("\(run.path): no such folder") }
        guard isFolder.boolValue else { throw CLIError.data("\(run.path): not a folder (give the run folder contrast train wrote)") }
        // RunReportError's one-line messages name the file; main() reports them with exit code 1.
        let files = try RunReport(run: run, evaluator: evaluator).write()
        // The report is the files; their names are diagnostics.
        if !quiet { (files.plots + [files.summary]).forEach { Report.info("wrote \($0.path)") } }
        if json {
            struct Output: Encodable { let plots: [String]; let summary: String }
            try Report.json(Output(plots: files.plots.map(\.path), summary: files.summary.path))
        }
    }
}
