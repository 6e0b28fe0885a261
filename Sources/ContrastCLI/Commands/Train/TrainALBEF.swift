import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Vision

/// `contrast train albef`.
struct TrainALBEF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "albef",
        abstract: "ALBEF: image-text contrastive (momentum distillation, queues), matching (hard negatives) and masked language modelling.",
        discussion: """
            Trains a small ViT (32 px, patches of 8, 3 layers, width 64), a 2-layer text encoder and a 2-layer fusion \
            encoder from scratch on 4000 generated Shapes images (or a caption file), 20 epochs of batch 64 (1240 steps), \
            then reports retrieval recall on the Shapes test split (500 images) by ITC alone and with ITM re-ranking of the \
            top 16. Defaults (Li et al. 2021, scaled down): AdamW, weight decay 0.02, lr 1e-3 cosine, momentum 0.95, \
            queue 1024, distillation alpha 0.4 ramped over the first epoch, MLM 15%, ITM hard negatives from the first step; fusion \
            layers initialised at std 1/sqrt(fan-in). See docs/methods/albef.md.
            """)

    /// Shapes images when not overridden: enough for the small default model to learn attribute
    /// binding within the 15-minute default run (ALIGN and VLMo train on more, for longer).
    static let shapesTrainCount = 4000, shapesTestCount = 500

    @Option(help: "Training data: shapes (generated) or a caption file.") var dataset = "shapes"
    @Option(help: "Run folder (settings, metrics.jsonl, the trained model).") var output: String
    @Option(help: "Seed of the initialisation, batches, masking and negatives.") var seed: UInt64 = 0
    @Option(help: "Passes over the training images.") var epochs: Int?
    @Option(name: .customLong("max-steps"), help: "Stop after this many steps.") var maxSteps: Int?
    @Option(name: .customLong("batch-size"), help: "Images (with one caption each) per step.") var batchSize: Int?
    @Option(help: "Peak learning rate.") var lr: Float?
    @Option(help: "Momentum of the EMA encoders.") var momentum: Float?
    @Option(name: .customLong("queue-size"), help: "Momentum features kept per modality as extra negatives.") var queueSize: Int?
    @Option(name: .customLong("itm-hardness-ramp"), help: "Share of the run over which ITM negatives go from random to hard (0: hard throughout).") var itmHardnessRamp: Float?
    @Flag(name: .customLong("no-caption-negatives"), help: "ITM without the dataset's false captions (Shapes' swapped attributes) as extra negatives.")
    var noCaptionNegatives = false
    @Option(name: .customLong("train-count"), help: "Shapes training images.") var trainCount: Int?
    @Option(name: .customLong("test-count"), help: "Shapes test images for the final retrieval evaluation (0: none).") var testCount: Int?
    @Option(name: .customLong("rerank-depth"), help: "Candidates per query the ITM head re-ranks.") var rerankDepth = 16
    @OptionGroup var runOptions: RunFolderOptions
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        for (name, value) in [("--epochs", epochs), ("--max-steps", maxSteps), ("--batch-size", batchSize), ("--train-count", trainCount)] {
            if let value, value <= 0 { throw ValidationError("\(name) must be positive") }
        }
        if let testCount, testCount < 0 { throw ValidationError("--test-count must not be negative") }
        if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
        if let momentum, !(0...1).contains(momentum) { throw ValidationError("--momentum must lie in [0, 1]") }
        if let queueSize, queueSize <= 0 { throw ValidationError("--queue-size must be positive") }
        if let itmHardnessRamp, !(itmHardnessRamp >= 0) { throw ValidationError("--itm-hardness-ramp must not be negative") }
        guard rerankDepth > 0 else { throw ValidationError("--rerank-depth must be positive") }
    }

    func run() throws {
        var settings = ALBEFTraining()
        settings.seed = seed
        if let epochs { settings.epochs = epochs }
        settings.maxSteps = maxSteps
        if let batchSize { settings.batchSize = batchSize }
        if let lr { settings.learningRate = lr }
        if let momentum { settings.momentum = momentum }
        if let queueSize { settings.queueSize = queueSize }
        if let itmHardnessRamp { settings.itmHardnessRamp = itmHardnessRamp }
        settings.captionNegatives = !noCaptionNegatives
        runOptions.apply(every: &settings.checkpointEvery, minutes: &settings.checkpointMinutes)
        let session = try TrainingSession(output: output, options: runOptions, settings: settings, quiet: quiet, json: json)
        let data: CaptionedImages
        do {
            data = dataset == "shapes"
                ? ShapesDataset(split: .train, count: trainCount ?? Self.shapesTrainCount, size: settings.model.imageSize).captioned()
                : try ImageTextData.training(dataset)
        } catch {
            throw CLIError.data("\(error)")
        }
        let albef: ALBEFPretraining, trainer: Trainer
        do {
            albef = try ALBEFPretraining(settings: settings, data: data)
            trainer = try Trainer(method: albef, settings: settings.trainer, output: session.destination, communicator: session.communicator)
        } catch { throw CLIError.data("\(error)") }
        let test = dataset == "shapes" && testCount != 0 ? try ImageTextData.test("shapes", count: testCount ?? Self.shapesTestCount) : nil
        let folder = try session.open(command: "train albef", settings: settings)
        let summary = try session.train(trainer, in: folder)

        // The retrieval benchmark: the Shapes test split (held out by construction), by process 0.
        var metrics: [String: Double] = [:]
        if let test, !summary.wasComplete, session.communicator.isRoot {
            let evaluationStart = ContinuousClock.now
            metrics = ALBEFRetrievalReport.evaluate(albef.model, on: test, depth: rerankDepth, quiet: quiet)
            ALBEFRetrievalReport.lines(metrics).forEach { Report.info("shapes test: " + $0) }
            metrics["evaluation_seconds"] = (ContinuousClock.now - evaluationStart).seconds
        }
        try session.printSummary(summary, metrics: metrics)
    }
}
