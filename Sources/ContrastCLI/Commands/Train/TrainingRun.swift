import ArgumentParser
import Augmentation
import Collectives
import Distributed
import Evaluation
import Foundation
import Methods
import Models
import Text

/// Everything a `contrast train` text method needs before its first step: a safe output folder,
/// the starting encoder, the examples, the evaluator; then the run itself with progress and summary.
///
/// Launched by `mpirun`, every process runs this with the same flags and they train together
/// (the ``Trainer``'s data parallelism).
struct TrainingRun {
    let options: TrainOptions
    let session: TrainingSession
    let configuration: TrainingConfiguration
    let encoder: Models.SentenceEncoder
    let examples: [TextExample]
    let evaluator: STSEvaluator?
    /// The positive views `--augment` asks for.
    let views: PositiveViews

    /// Reads and checks every input (nothing on disk changes).
    init(options: TrainOptions, configuration: TrainingConfiguration) throws {
        self.options = options
        self.configuration = configuration
        session = try TrainingSession(output: options.output, options: options.runOptions, settings: configuration, quiet: options.quiet, json: options.json)
        if let model = options.model {
            encoder = try Models.SentenceEncoder(directory: URL(fileURLWithPath: model), dropoutSeed: configuration.seed)
        } else {
            encoder = try Models.SentenceEncoder.randomlyInitialized(options.`init`!, seed: configuration.seed)
        }
        guard configuration.maxLength <= encoder.model.configuration.maxPositions else {
            throw CLIError.usage("--max-length \(configuration.maxLength) exceeds the model's \(encoder.model.configuration.maxPositions) positions")
        }
        examples = try Self.readExamples(options, report: session.communicator.isRoot)
        evaluator = try options.evalData.map { try STSData.evaluator(URL(fileURLWithPath: $0), format: options.evalFormat) }
        let spec: AugmentationSpec
        do { spec = try AugmentationSpec(parsing: configuration.augmentation) } catch { throw CLIError.usage("--augment: \(error)") }
        let paraphrases = try options.paraphrases.map { BackTranslation(try ParaphraseFile.read(URL(fileURLWithPath: $0)).examples) }
        views = try PositiveViews(spec, backTranslation: paraphrases)
    }

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

    /// Trains `method` into the run folder, reporting progress on stderr, and returns the summary
    /// (printed by the caller with ``TrainingSession/printSummary(_:metrics:)``).
    func train(_ method: any TextMethod) throws -> (summary: TrainingSummary, folder: RunFolder) {
        let trainer = try Trainer(text: method, configuration: configuration, examples: examples, output: session.destination,
                                  communicator: session.communicator)
        let folder = try session.open(command: "train \(configuration.method)", settings: configuration)
        let trainerOutput = folder.directory
        let quiet = session.quiet
        if let evaluator {
            trainer.primaryMetric = "\(evaluator.name)_spearman"
            trainer.evaluate = { [encoder] in
                let evalBar = ProgressBar(total: evaluator.distinct.sentences.count, label: "eval \(evaluator.name)", unit: "sentences", quiet: quiet)
                defer { evalBar.finish() }
                let result = try evaluator.run({ encoder.encode($0, batchSize: 64) }, progress: { done, _ in evalBar.update(done: done) })
                // The latest evaluation's pairs, for the report's predicted-vs-gold scatter plot.
                try STSPredictions(result).write(to: trainerOutput.appendingPathComponent(STSPredictions.fileName))
                return result.metrics(prefix: evaluator.name)
            }
        }
        return (try session.train(trainer, in: folder), folder)
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
