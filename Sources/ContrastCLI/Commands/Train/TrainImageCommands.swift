import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Vision

/// Flags shared by `contrast train simclr` and `contrast train moco`.
struct ImageTrainOptions: ParsableArguments {
    @Option(help: "Images to train on: fashion-mnist (training split, labels unused), shapes (2,000 generated 32x32 scenes), or a caption file (TSV/JSONL/CSV of image paths; captions unused).")
    var dataset: String
    @Option(help: "Run folder: the trained encoder (config.json, model.safetensors), metrics.jsonl, training_config.json.") var output: String
    @Option(help: "Random seed (initialisation, data order, augmentations).") var seed: UInt64?
    @Option(help: "Passes over the images.") var epochs: Int?
    @Option(name: .customLong("max-steps"), help: "Train this many steps (overrides --epochs).") var maxSteps: Int?
    @Option(name: .customLong("batch-size"), help: "Images per step and process (two views each; under mpirun -np P a step sees P times this).") var batchSize: Int?
    @Option(help: "Peak AdamW learning rate (linear warm-up, cosine decay).") var lr: Float?
    @Option(help: "Softmax temperature of the loss.") var temperature: Float?
    @Option(help: "Encoder: \(ResNetConfiguration.Preset.allCases.map(\.rawValue).joined(separator: ", ")).") var encoder: String?
    @Option(help: "Augmentations: simclr (crop, flip, colour jitter, grayscale, blur) or no-blur.") var augment: String?
    @OptionGroup var runOptions: RunFolderOptions
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON summary as the last line of stdout.") var json = false

    /// The method's defaults with the flags applied.
    func resolved(_ defaults: ImageTrainingConfiguration) throws -> ImageTrainingConfiguration {
        var c = defaults
        c.dataset = dataset
        if let seed { c.seed = seed }
        if let epochs { c.epochs = epochs }
        if let maxSteps { c.maxSteps = maxSteps }
        if let batchSize { c.batchSize = batchSize }
        if let lr { c.learningRate = lr }
        if let temperature { c.temperature = temperature }
        if let encoder { c.encoder = encoder }
        if let augment { c.augmentation = augment }
        runOptions.apply(every: &c.checkpointEvery, minutes: &c.checkpointMinutes)
        if let problem = c.problems.first { throw ValidationError(problem) }
        return c
    }

    /// Trains `configuration`'s method, reporting progress on stderr, and prints the summary.
    func train(_ configuration: ImageTrainingConfiguration) throws {
        let session = try TrainingSession(output: output, options: runOptions, settings: configuration, quiet: quiet, json: json)
        let data = try ImageDataset.load(dataset, split: .train)
        let method = try ImageTraining(configuration.makeMethod(channels: data.images[0].channels), configuration: configuration,
                                       images: data.images, normalization: data.normalization)
        let trainer = try Trainer(method: method, settings: configuration.trainer, output: session.destination, communicator: session.communicator)
        let folder = try session.open(command: "train \(configuration.method)", settings: configuration)
        try session.printSummary(session.train(trainer, in: folder))
    }
}

/// `contrast train simclr`.
struct TrainSimCLR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simclr",
        abstract: "SimCLR: NT-Xent over two augmented views of each image, ResNet encoder with an MLP head.",
        discussion: """
            Defaults (docs/methods/simclr.md): ResNet-8 with widened last stages (resnet8wide: stages 16-64-256, \
            256 features), head 512 → 128 with BatchNorm, temperature 0.2, batch 256 (both views encoded as one batch \
            of 512), AdamW lr 3e-3 with 10 warm-up steps and cosine decay, weight decay 1e-4, SimCLR augmentations \
            without blur, 1 epoch (234 steps on Fashion-MNIST: about 16 CPU-minutes, so about 8 minutes on 2 idle cores).
            """)

    @OptionGroup var options: ImageTrainOptions

    func run() throws {
        var defaults = ImageTrainingConfiguration()
        defaults.method = "simclr"
        try options.train(options.resolved(defaults))
    }
}

/// `contrast train moco`.
struct TrainMoCo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moco",
        abstract: "MoCo v2: InfoNCE of queries against a momentum key encoder's keys and a queue of past keys.",
        discussion: """
            Defaults (docs/methods/moco.md): ResNet-8 with widened last stages (resnet8wide), MLP head 512 → 128, temperature 0.2, momentum 0.99, queue 4096, \
            batch 256, AdamW lr 3e-3 with cosine decay, SimCLR augmentations without blur, 1 epoch.
            """)

    @OptionGroup var options: ImageTrainOptions
    @Option(help: "Momentum of the key encoder.") var momentum: Float?
    @Option(name: .customLong("queue-size"), help: "Keys kept as negatives.") var queueSize: Int?

    func run() throws {
        var defaults = ImageTrainingConfiguration()
        defaults.method = "moco"
        if let momentum { defaults.momentum = momentum }
        if let queueSize { defaults.queueSize = queueSize }
        try options.train(options.resolved(defaults))
    }
}
