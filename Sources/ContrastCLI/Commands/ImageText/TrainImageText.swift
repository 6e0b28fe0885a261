import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Vision

/// Options shared by `contrast train align` and `contrast train vlmo`.
struct ImageTextTrainOptions: ParsableArguments {
    @Option(help: "fashion-mnist (class-name captions), shapes (generated scenes, \(ImageTextData.shapesTrainCount) training images), or a caption file.")
    var dataset: String
    @Option(help: "Run folder: training_config.json, metrics.jsonl and the model.") var output: String
    @Option(help: "Seed of initialisation, shuffling and the Shapes splits.") var seed: UInt64 = 0
    @Option(help: "Epochs of the image-text stage (default: per data set, see the discussion).") var epochs: Int?
    @Option(name: .customLong("max-steps"), help: "Steps of the image-text stage (overrides --epochs; VLMo's unimodal stages take their share of it).") var maxSteps: Int?
    @Option(name: .customLong("batch-size"), help: "Image-caption pairs per step and process (default 128).") var batchSize: Int?
    @Option(help: "Peak learning rate (AdamW, 5% warm-up, cosine decay).") var lr: Float = 1e-3
    @OptionGroup var runOptions: RunFolderOptions
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        if let batchSize, batchSize < 2 { throw ValidationError("--batch-size must be at least 2") }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
        if let maxSteps, maxSteps <= 0 { throw ValidationError("--max-steps must be positive") }
        guard lr > 0 else { throw ValidationError("--lr must be positive") }
    }

    /// Loads the data, makes the method with `method` (from the model's shape), trains it and
    /// reports.
    func run(method: String, defaultEpochs: [String: Int], defaultBatchSize: Int,
             training: (ImageTextConfiguration, ImageTextTrainingConfiguration, CaptionedImages) throws -> ImageTextTraining) throws {
        var settings = ImageTextTrainingConfiguration(method: method, dataset: dataset, epochs: epochs ?? defaultEpochs[dataset] ?? 10,
                                                      batchSize: batchSize ?? defaultBatchSize, learningRate: lr)
        settings.seed = seed
        settings.maxSteps = maxSteps
        runOptions.apply(every: &settings.checkpointEvery, minutes: &settings.checkpointMinutes)
        let session = try TrainingSession(output: output, options: runOptions, settings: settings, quiet: quiet, json: json)
        let data = try ImageTextData.training(dataset, seed: seed)
        guard let first = data.images.first else { throw CLIError.data("\(dataset): no images") }
        let model = ImageTextConfiguration(method: method, imageSize: first.height, channels: first.channels,
                                           normalization: ImageTextData.normalization(for: data))
        // The trainer checks the data against the settings before the folder is opened.
        let trainer = try Trainer(method: training(model, settings, data), settings: settings.trainer, output: session.destination,
                                  communicator: session.communicator)
        let folder = try session.open(command: "train \(method)", settings: settings)
        try session.printSummary(session.train(trainer, in: folder))
    }
}

/// `contrast train align`.
struct TrainALIGN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "ALIGN: a ViT image tower and a small BERT text tower from scratch, symmetric InfoNCE with a learnable temperature.",
        discussion: """
            Default run: fashion-mnist 2 epochs (936 steps of 128), shapes 3 epochs (468 steps); a 4-layer 64-wide ViT with 16 patches, \
            a 2-layer 64-wide BERT over the bundled uncased vocabulary, 64-dimensional embeddings. No image augmentation. \
            See docs/methods/align.md.
            """)

    @OptionGroup var options: ImageTextTrainOptions

    func run() throws {
        try options.run(method: ALIGN.method, defaultEpochs: ["fashion-mnist": 2, "shapes": 3], defaultBatchSize: 128) { model, settings, data in
            try ImageTextTraining(ALIGN(model, seed: settings.seed), configuration: settings, data: data)
        }
    }
}

/// `contrast train vlmo`.
struct TrainVLMo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vlmo",
        abstract: "VLMo: a multiway transformer trained in stages (image only, text only with frozen attention, image-text ITC + ITM).",
        discussion: """
            Default run: shapes 8 epochs of the image-text stage (1248 steps of 128, ITM on 32 pairs of each batch with two sampled \
            negatives each), each unimodal stage a tenth of its steps; 4 layers 64 wide, vision-language experts in the top 2. \
            See docs/methods/vlmo.md.
            """)

    @OptionGroup var options: ImageTextTrainOptions

    func run() throws {
        try options.run(method: VLMo.method, defaultEpochs: ["fashion-mnist": 1, "shapes": 8], defaultBatchSize: 128) { model, settings, data in
            try ImageTextTraining(VLMo(model, seed: settings.seed), configuration: settings, data: data)
        }
    }
}
