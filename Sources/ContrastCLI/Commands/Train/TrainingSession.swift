import Collectives
import Distributed
import Evaluation
import Foundation
import Methods

/// What every `contrast train METHOD` does around the library's ``Trainer``: the processes that
/// train together (one, or those `mpirun` launched), the run folder's checks before anything is
/// read, opening it, progress on stderr, the finished run's plots, and the summary on stdout.
///
/// Process 0 alone checks, opens and writes the run folder and reports; the others stay quiet.
struct TrainingSession {
    let communicator: any Communicator
    let destination: URL
    let intent: RunFolder.Intent
    let quiet: Bool
    let json: Bool

    /// Checks the folder `output` for these flags (and, resuming, `settings` against the run's);
    /// changes nothing on disk.
    init(output: String, options: RunFolderOptions, settings: TrainingSettings, quiet: Bool, json: Bool) throws {
        communicator = MPIProcess.isLaunched ? MPICommunicator() : SingleProcess()
        destination = URL(fileURLWithPath: output)
        intent = try RunFolder.intent(overwrite: options.overwrite, resume: options.resume)
        // Process 0 alone checks the folder: another's check could see the folder process 0 just opened.
        if communicator.isRoot {
            try RunFolder.check(destination, intent: intent)
            if intent == .resume { try RunFolder.checkResumable(destination, with: settings) }
        }
        self.quiet = quiet || !communicator.isRoot
        self.json = json && communicator.isRoot
    }

    /// Opens the run folder (process 0; the others learn where it is), records the settings in it as
    /// `training_config.json` (config.json is the saved model's), and runs `trainer` into it with a
    /// progress bar per stage and its events on stderr; then moves the run into place, writes its
    /// plots and says where it is.
    func train(_ trainer: Trainer) throws -> TrainingSummary {
        let root = communicator.isRoot
        let folder = root ? try RunFolder.open(destination, intent: intent, command: "train \(trainer.settings.method)")
                          : RunFolder.planned(destination, intent: intent)
        if root { try trainer.settings.write(to: folder.directory) }
        trainer.output = folder.directory
        let name = trainer.method.name, unit = trainer.method.unit
        if !quiet {
            let shape = trainer.stages.map { "\($0.steps) steps\(trainer.stages.count > 1 ? " of \($0.name)" : "")" }.joined(separator: ", ")
            Report.info("\(name): \(trainer.stages[0].examples) \(unit), \(shape) with batches of \(trainer.stages[0].batchSize)")
        }
        var bar: ProgressBar?
        trainer.onEvent = { event in
            switch event {
            case .stage(_, let stage, let steps):
                bar?.finish()
                bar = ProgressBar(total: steps, label: trainer.stages.count > 1 ? "train \(name) \(stage)" : "train \(name)", unit: "steps", quiet: quiet)
            case .step(let s):
                let parts = s.parts.sorted { $0.key < $1.key }.map { " \($0.key) \(Format.fixed(Double($0.value), 3))" }.joined()
                bar?.update(done: s.stageStep, detail: "loss \(Format.fixed(Double(s.loss), 4))\(parts) lr \(String(format: "%.2e", s.learningRate)) "
                            + "\(Format.fixed(s.examplesPerSecond, 1)) \(unit)/s")
            case .evaluation(let step, let metrics):
                if !quiet { Report.info("step \(step): " + metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.fixed($0.value, 4))" }.joined(separator: ", ")) }
            case .checkpoint(let step, let folder):
                if !quiet { Report.info("step \(step): checkpoint \(folder.path)") }
            case .skipped(let step, let reason):
                if root { Report.info("step \(step): skipped (\(reason))") }
            case .resumed(let step, let total):
                if root { Report.info("resuming from step \(step) of \(total)") }
            }
        }
        let summary = try trainer.train(resume: intent == .resume)
        bar?.finish()
        guard root else { return summary }
        // The run's plots and summary (what `contrast report` regenerates), in the folder that becomes the run.
        let plots = summary.wasComplete ? nil : try RunReport(run: folder.directory).write().summary.deletingLastPathComponent().lastPathComponent
        if summary.wasComplete {
            Report.info("\(destination.path): the run is already complete (\(summary.steps) steps); nothing to resume")
        } else {
            try folder.complete()
            Report.info("trained \(summary.steps) steps in \(Format.fixed(summary.seconds, 1)) s; model saved to \(destination.path)")
        }
        if let plots, !quiet { Report.info("plots and summary in \(destination.appendingPathComponent(plots).path)") }
        if let warning = stillLearning() { Report.info("warning: " + warning) }
        return summary
    }

    /// Evaluates by `measure` every `eval-every` steps and at the end, keeping `best/` by
    /// `primary` (one of `measure`'s metrics); says so on stderr each time.
    func monitor(_ trainer: Trainer, primary: String, _ measure: @escaping () throws -> [String: Double]) {
        trainer.primaryMetric = primary
        trainer.evaluate = { [quiet] in
            if !quiet { Report.info("evaluating (\(primary))...") }
            return try measure()
        }
    }

    /// ``LearningCurve/stillLearning(_:)`` of the run's log, `nil` when it cannot be read.
    private func stillLearning() -> String? {
        (try? RunMetrics.read(destination.appendingPathComponent("metrics.jsonl"))).flatMap(LearningCurve.stillLearning)
    }

    /// With `--json`, prints the run's summary with `metrics` added to the trainer's final ones.
    func printSummary(_ summary: TrainingSummary, metrics: [String: Double] = [:]) throws {
        guard json else { return }
        struct Summary: Encodable {
            let steps: Int, final_loss: Double?, seconds: Double, skipped_steps: Int, output: String, already_complete: Bool
            let metrics: [String: Double], best_metric: Double?, best_step: Int?
            /// Why the run looks stopped early (``LearningCurve``), or null.
            let still_learning: String?
        }
        let loss = Double(summary.finalLoss)
        try Report.json(Summary(steps: summary.steps, final_loss: loss.isFinite ? loss : nil, seconds: summary.seconds,
                                skipped_steps: summary.skippedSteps, output: destination.path, already_complete: summary.wasComplete,
                                metrics: summary.finalMetrics.merging(metrics) { $1 }, best_metric: summary.bestMetric, best_step: summary.bestStep,
                                still_learning: summary.wasComplete ? nil : stillLearning()))
    }
}
