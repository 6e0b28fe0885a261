import ArgumentParser
import Augmentation
import Collectives
import Distributed
import Evaluation
import Foundation
import Methods
import Models
import Text

/// Everything a `contrast train` method needs before its first step: a safe output folder, the
/// starting encoder, the examples, the evaluator; then the run itself with progress and summary.
///
/// Launched by `mpirun`, every process runs this with the same flags and they train together
/// (`TextTrainer`'s data parallelism); process 0 alone prepares and writes the run folder and
/// reports progress, the others stay quiet.
struct TrainingRun {
    let options: TrainOptions
    /// The processes of a data-parallel run (one unless launched by `mpirun`).
    let communicator: any Communicator
    let configuration: TrainingConfiguration
    /// The run folder; the trainer writes into `folder.directory`.
    let folder: RunFolder
    let encoder: Models.SentenceEncoder
    let examples: [TextExample]
    let evaluator: STSEvaluator?
    /// The positive views `--augment` asks for.
    let views: PositiveViews

    /// Reads and checks every input, then opens the run folder (nothing on disk changes before).
    init(options: TrainOptions, configuration: TrainingConfiguration) throws {
        self.options = options
        self.configuration = configuration
        communicator = MPIProcess.isLaunched ? MPICommunicator() : SingleProcess()
        // Process 0 alone checks the folder: another's check could see the folder process 0 just opened.
        let (destination, intent) = communicator.isRoot ? try options.runOptions.check(options.output, settings: configuration)
                                                        : try options.runOptions.target(options.output)
        if let model = options.model {
            encoder = try Models.SentenceEncoder(directory: URL(fileURLWithPath: model), dropoutSeed: configuration.seed)
        } else {
            encoder = try Models.SentenceEncoder.randomlyInitialized(options.`init`!, seed: configuration.seed)
        }
        guard configuration.maxLength <= encoder.model.configuration.maxPositions else {
            throw CLIError.usage("--max-length \(configuration.maxLength) exceeds the model's \(encoder.model.configuration.maxPositions) positions")
        }
        examples = try Self.readExamples(options, report: communicator.isRoot)
        evaluator = try options.evalData.map { try STSData.evaluator(URL(fileURLWithPath: $0), format: options.evalFormat) }
        let spec: AugmentationSpec
        do { spec = try AugmentationSpec(parsing: configuration.augmentation) } catch { throw CLIError.usage("--augment: \(error)") }
        let paraphrases = try options.paraphrases.map { BackTranslation(try ParaphraseFile.read(URL(fileURLWithPath: $0)).examples) }
        views = try PositiveViews(spec, backTranslation: paraphrases)
        folder = communicator.isRoot ? try RunFolder.open(destination, intent: intent, command: "train \(configuration.method)")
                                     : RunFolder.planned(destination, intent: intent)
    }

    /// Where the trainer writes.
    var output: URL { folder.directory }

    /// Whether this process reports progress (process 0, unless `--quiet`).
    var reportsProgress: Bool { communicator.isRoot && !options.quiet }

    static func readExamples(_ o: TrainOptions, report: Bool) throws -> [TextExample] {
        if let corpus = o.corpus {
            let data = try PlainCorpus.read(URL(fileURLWithPath: corpus))
            if report && data.skippedEmptyLines > 0 { Report.info("\(corpus): skipped \(data.skippedEmptyLines) empty lines") }
            return data.examples.map { TextExample(anchor: $0) }
        }
        if let pairs = o.pairs {
            return try PairFile.read(URL(fileURLWithPath: pairs)).examples.map { TextExample(anchor: $0.first, positive: $0.second) }
        }
        if let triplets = o.triplets {
            return try TripletFile.read(URL(fileURLWithPath: triplets)).examples.map {
                TextExample(anchor: $0.anchor, positive: $0.positive, hardNegative: $0.hardNegative)
            }
        }
        return TextExample.supervised(sick: try SICK.read(URL(fileURLWithPath: o.sick!)).examples)
    }

    /// Trains `method`, reporting progress on stderr, and prints the summary.
    func train(_ method: any TextMethod) throws {
        let trainer = try TextTrainer(method: method, configuration: configuration, examples: examples, output: output, communicator: communicator)
        let root = communicator.isRoot, quiet = !reportsProgress
        // Not config.json: the trained model saved in the same folder owns that name.
        if root { try configuration.write(to: output) }
        let bar = ProgressBar(total: trainer.totalSteps, label: "train \(configuration.method)", unit: "steps", quiet: quiet)
        if let evaluator {
            trainer.primaryMetric = "\(evaluator.name)_spearman"
            trainer.evaluate = { model in
                let evalBar = ProgressBar(total: evaluator.distinct.sentences.count, label: "eval \(evaluator.name)", unit: "sentences", quiet: quiet)
                defer { evalBar.finish() }
                let result = try evaluator.run({ model.encode($0, batchSize: 64) }, progress: { done, _ in evalBar.update(done: done) })
                // The latest evaluation's pairs, for the report's predicted-vs-gold scatter plot.
                try STSPredictions(result).write(to: output.appendingPathComponent(STSPredictions.fileName))
                return result.metrics(prefix: evaluator.name)
            }
        }
        trainer.onEvent = { event in
            switch event {
            case .step(let step, _, let loss, let lr, let rate):
                bar.update(done: step, detail: "loss \(Format.fixed(Double(loss), 4)) lr \(String(format: "%.2e", lr)) \(Format.fixed(rate, 1)) sent/s")
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
        let summary = try trainer.train(resume: folder.intent == .resume)
        bar.finish()
        guard root else { return }
        let destination = folder.destination
        // The run's plots and summary (what `contrast report` regenerates), in the folder that becomes the run.
        let plots = summary.wasComplete ? nil : try RunReport(run: output).write().summary.deletingLastPathComponent().lastPathComponent
        try Report.finish(folder, wasComplete: summary.wasComplete, steps: summary.steps, seconds: summary.seconds)
        if let plots, !quiet { Report.info("plots and summary in \(destination.appendingPathComponent(plots).path)") }
        if options.json {
            struct Summary: Encodable {
                let steps: Int, final_loss: Double?, seconds: Double, skipped_steps: Int, output: String, already_complete: Bool
                let metrics: [String: Double], best_metric: Double?, best_step: Int?
            }
            let loss = Double(summary.finalLoss)
            try Report.json(Summary(steps: summary.steps, final_loss: loss.isFinite ? loss : nil, seconds: summary.seconds,
                                    skipped_steps: summary.skippedSteps, output: destination.path, already_complete: summary.wasComplete,
                                    metrics: summary.finalMetrics, best_metric: summary.bestMetric, best_step: summary.bestStep))
        }
    }
}

/// Reading STS evaluation files in either format.
enum STSData {
    static func evaluator(_ url: URL, format: STSFormat?) throws -> STSEvaluator {
        let resolved = format ?? (url.lastPathComponent.lowercased().contains("sick") ? .sick : .stsb)
        switch resolved {
        case .stsb: return STSEvaluator(name: "sts", pairs: try STSBenchmark.read(url).examples)
        case .sick: return STSEvaluator(name: "sts", sick: try SICK.read(url).examples)
        }
    }
}
