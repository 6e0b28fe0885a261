import Augmentation
import Evaluation
import Foundation
import Methods
import Models
import Text

/// `contrast train simcse`.
enum SimCSECommand: MethodCommand {
    static let name = "simcse"
    static let abstract = "SimCSE: unsupervised (--corpus, dropout noise) or supervised (--pairs, --triplets, --sick)."
    static let discussion = "Defaults: Gao et al. 2021. Pooling cls trains with an MLP over [CLS] and saves the model without it."
    static func train(_ c: TrainingSettings, session: TrainingSession) throws {
        let inputs = try TextInputs(c, session: session)
        try session.printSummary(inputs.train(TextTraining(SimCSE(encoder: inputs.encoder, configuration: c, views: inputs.views), configuration: c, examples: inputs.examples)))
    }
}

/// `contrast train esimcse`.
enum ESimCSECommand: MethodCommand {
    static let name = "esimcse"
    static let abstract = "ESimCSE: unsupervised SimCSE with word-repetition positives and a momentum-encoder queue of negatives (--corpus)."
    static let discussion = "Defaults: Wu et al. 2021. --augment other than none replaces word repetition as the positive view."
    static func train(_ c: TrainingSettings, session: TrainingSession) throws {
        let inputs = try TextInputs(c, session: session)
        let method = try ESimCSE(encoder: inputs.encoder, configuration: c, views: c.augmentation == "none" ? nil : inputs.views)
        try session.printSummary(inputs.train(TextTraining(method, configuration: c, examples: inputs.examples)))
    }
}

/// `contrast train cert`: contrastive pre-training, then fine-tuning a sentence-pair classifier.
enum CERTCommand: MethodCommand {
    static let name = "cert"
    static let abstract = "CERT: MoCo-style contrastive training over augmented sentences (--corpus), then fine-tuning on SICK entailment."
    static let discussion = """
        Stage 1 (Fang et al. 2020, MoCo's settings): views from --paraphrases (back-translation) or --augment. Stage 2, with \
        --finetune-data: a 3-class entailment classifier (SICK format) fine-tuned, its accuracy measured on --finetune-eval.
        """
    static func train(_ c: TrainingSettings, session: TrainingSession) throws {
        // Stage 2's files are read with the others, before stage 1 trains.
        func pairs(_ path: String) throws -> [LabelledPair] { LabelledPair.entailment(sick: try SICK.read(URL(fileURLWithPath: path)).examples) }
        let fineTuning = try c.fineTuningData.map { (train: try pairs($0), eval: try pairs(c.fineTuningEvaluation!)) }
        let inputs = try TextInputs(c, session: session)
        let cert = CERT(encoder: inputs.encoder, configuration: c, views: inputs.views)
        guard let fineTuning else { return try session.printSummary(inputs.train(TextTraining(cert, configuration: c, examples: inputs.examples))) }
        let training = try CERTTraining(cert, configuration: c, examples: inputs.examples, fineTuning: fineTuning.train, labels: LabelledPair.entailmentLabels)
        let summary = try inputs.train(training)
        guard !summary.wasComplete, session.communicator.isRoot else { return try session.printSummary(summary) }
        let accuracy = LabelledPair.accuracy(of: training.classifier, on: fineTuning.eval, maxLength: CERTTraining.pairMaxLength)
        Report.info("SICK entailment accuracy \(Format.fixed(accuracy * 100, 2)) on \(fineTuning.eval.count) pairs; classifier in \(session.destination.path)/classifier")
        try session.printSummary(summary, metrics: ["sick_accuracy": accuracy])
    }
}

/// What a text run evaluates during training (`--eval-data`): an STS file, or a retrieval folder.
enum TextEvaluation {
    case sts(STSEvaluator)
    case retrieval(InformationRetrievalEvaluator)

    /// The evaluation of `--eval-data`: a folder is read as a retrieval folder (its split from
    /// `--eval-split`), anything else as an STS file.
    init?(_ c: TrainingSettings) throws {
        guard let path = c.evaluationData else { return nil }
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            self = .retrieval(try InformationRetrievalEvaluator(reading: url, split: c.evaluationSplit(of: url)))
        } else {
            self = .sts(try STSEvaluator(reading: url, format: c.evaluationFormat))
        }
    }
}

/// What a text method needs before its first step: the starting encoder, the examples, the
/// evaluation and the positive views, all read and checked before the run folder is opened.
struct TextInputs {
    let configuration: TrainingSettings
    let session: TrainingSession
    let encoder: Models.SentenceEncoder
    let examples: [TextExample]
    let evaluation: TextEvaluation?
    /// The positive views `--augment` asks for.
    let views: PositiveViews

    init(_ c: TrainingSettings, session: TrainingSession) throws {
        (configuration, self.session) = (c, session)
        encoder = try TextTraining.startingEncoder(c)
        // Evaluation during training embeds through encode, which truncates; training's embed does not.
        try encoder.truncate(to: c.truncateDimension)
        let data = try TextExample.read(c)
        if session.communicator.isRoot && data.skippedEmptyLines > 0 { Report.info("\(c.corpus ?? ""): skipped \(data.skippedEmptyLines) empty lines") }
        examples = data.examples
        evaluation = try TextEvaluation(c)
        views = try PositiveViews(c)
    }

    /// Trains `method` into the run folder, reporting progress on stderr, and returns the summary
    /// (printed by the caller with ``TrainingSession/printSummary(_:metrics:)``).
    func train(_ method: any TrainingMethod) throws -> TrainingSummary {
        let trainer = try Trainer(method: method, settings: configuration, output: session.destination, communicator: session.communicator)
        switch evaluation {
        case .sts(let evaluator):
            session.monitor(trainer, primary: "\(evaluator.name)_spearman") { [encoder, unowned trainer] in
                let result = try evaluator.run { encoder.encode($0, batchSize: 64) }
                // The latest evaluation's pairs, for the report's predicted-vs-gold scatter plot.
                try STSPredictions(result).write(to: trainer.output.appendingPathComponent(STSPredictions.fileName))
                return result.metrics(prefix: evaluator.name)
            }
        case .retrieval(let evaluator):
            session.monitor(trainer, primary: evaluator.primaryMetric) { [encoder] in try evaluator.evaluate { encoder.encode($0, batchSize: 64) } }
        case nil:
            break
        }
        return try session.train(trainer)
    }
}
