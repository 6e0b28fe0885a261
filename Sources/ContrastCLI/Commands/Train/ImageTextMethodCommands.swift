import Evaluation
import Foundation
import Methods
import Models
import Vision

/// `contrast train align`.
enum ALIGNCommand: MethodCommand {
    static let name = ALIGN.method
    static let abstract = "ALIGN: a ViT image tower and a small BERT text tower from scratch (or a pretrained CLIP to fine-tune), symmetric InfoNCE with a learnable temperature."
    static let discussion = """
        A 4-layer 64-wide ViT over 16 patches and a 2-layer 64-wide BERT over the bundled uncased vocabulary, 64-dimensional \
        embeddings, no image augmentation. \(defaultEpochs(name))
        With --model, fine-tunes a pretrained CLIP instead (a Hugging Face folder: images preprocessed and captions tokenized \
        as the folder says, its logit scale learned and clamped at 100) and saves a Hugging Face CLIP folder.
        """
    static func train(_ c: TrainingSettings, session: TrainingSession) throws {
        guard let folder = c.model else {
            try trainImageText(c, session: session) { data in try ImageTextTraining(ALIGN(smallTowers(c, for: data), seed: c.seed), configuration: c, data: data) }
            return
        }
        let clip = try CLIPImageTextModel(directory: URL(fileURLWithPath: folder), dropoutSeed: c.seed)
        try trainImageText(c, session: session, preparing: clip.imagePreparation) { data in try ImageTextTraining(clip, configuration: c, data: data) }
    }
}

/// `contrast train vlmo`.
enum VLMoCommand: MethodCommand {
    static let name = VLMo.method
    static let abstract = "VLMo: a multiway transformer trained in stages (image only, text only with frozen attention, image-text ITC + ITM)."
    static let discussion = """
        Stages: image only, text only (attention frozen), then image-text (ITC, and ITM with two sampled negatives per pair), \
        each unimodal stage --unimodal-fraction of the image-text stage's steps. 4 layers 64 wide, vision-language experts in the top 2. \
        \(defaultEpochs(name))
        """
    static func train(_ c: TrainingSettings, session: TrainingSession) throws {
        try trainImageText(c, session: session) { data in try ImageTextTraining(VLMo(smallTowers(c, for: data), seed: c.seed), configuration: c, data: data) }
    }
}

/// What `--epochs none` trains, by data set.
private func defaultEpochs(_ method: String) -> String {
    "Epochs (none): " + (TrainingSettings.defaultEpochs[method] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.value) on \($0.key)" }.joined(separator: ", ")
        + ", \(TrainingSettings.captionFileEpochs) on a caption file."
}

/// The small towers' shape for `data`'s images (their size and channels, and pixel statistics).
private func smallTowers(_ c: TrainingSettings, for data: CaptionedImages) -> ImageTextConfiguration {
    let first = data.images[0]
    return ImageTextConfiguration(method: c.method, imageSize: first.height, channels: first.channels, normalization: ImageTextData.normalization(for: data))
}

/// Loads `c.dataset` (a caption file's images through `prepare`, or else at 32x32), makes the
/// method with `method`, trains it and prints the summary.
private func trainImageText(_ c: TrainingSettings, session: TrainingSession, preparing prepare: ((Image) -> Image)? = nil,
                            method: (CaptionedImages) throws -> ImageTextTraining) throws {
    let data = try ImageTextData.training(c.dataset, preparing: prepare)
    guard !data.images.isEmpty else { throw CLIError.data("\(c.dataset): no images") }
    // The trainer checks the data against the settings before the folder is opened.
    let training = try method(data)
    let trainer = try Trainer(method: training, settings: c, output: session.destination, communicator: session.communicator)
    if c.evaluateEvery != nil {
        // Zero-shot accuracy on the first 2,000 Fashion-MNIST test images, or retrieval on 500 Shapes test scenes.
        switch c.dataset {
        case "fashion-mnist":
            let test = try FashionMNIST.load(.test)
            let (images, labels) = (Array(test.images.prefix(2000)), Array(test.labels.prefix(2000)))
            session.monitor(trainer, primary: "zero_shot_accuracy") { try TrainingMonitor.zeroShotAccuracy(training.model, images: images, labels: labels) }
        case "shapes":
            let test = try ImageTextData.test("shapes", count: 500)
            session.monitor(trainer, primary: "t2i_r1") { TrainingMonitor.retrieval(training.model, on: test) }
        default: throw CLIError.usage("--eval-every: a caption file has no held-out split to evaluate on")
        }
    }
    try session.printSummary(session.train(trainer))
}

/// `contrast train albef`.
enum ALBEFCommand: MethodCommand {
    static let name = ALBEF.method
    static let abstract = "ALBEF: image-text contrastive (momentum distillation, queues), matching (hard negatives) and masked language modelling."
    static let discussion = """
        A ViT (32 px, patches of 8, 3 layers, width 64), a 2-layer text and a 2-layer fusion encoder from scratch (Li et al. 2021 \
        scaled down), then retrieval recall on the Shapes test split by ITC alone and with ITM re-ranking of the top --rerank-depth.
        """
    static func train(_ settings: TrainingSettings, session: TrainingSession) throws {
        let data = settings.dataset == "shapes"
            ? ShapesDataset(split: .train, count: settings.trainCount, size: settings.albefShape.imageSize).captioned()
            : try ImageTextData.training(settings.dataset)
        let albef = try ALBEFPretraining(settings: settings, data: data)
        let trainer = try Trainer(method: albef, settings: settings, output: session.destination, communicator: session.communicator)
        let test = settings.dataset == "shapes" && settings.testCount > 0 ? try ImageTextData.test("shapes", count: settings.testCount) : nil
        if settings.evaluateEvery != nil {
            guard let test else { throw CLIError.usage("--eval-every: ALBEF evaluates on the Shapes test split (--dataset shapes, --test-count above 0)") }
            session.monitor(trainer, primary: "itc_t2i_r1") { ALBEFRetrievalReport.evaluate(albef.model, on: test, depth: settings.rerankDepth, rerank: false, quiet: true) }
        }
        let summary = try session.train(trainer)
        // The retrieval benchmark: the Shapes test split (held out by construction), by process 0.
        var metrics: [String: Double] = [:]
        if let test, !summary.wasComplete, session.communicator.isRoot {
            let evaluationStart = ContinuousClock.now
            metrics = ALBEFRetrievalReport.evaluate(albef.model, on: test, depth: settings.rerankDepth, quiet: session.quiet)
            ALBEFRetrievalReport.lines(metrics).forEach { Report.info("shapes test: " + $0) }
            metrics["evaluation_seconds"] = (ContinuousClock.now - evaluationStart).seconds
        }
        try session.printSummary(summary, metrics: metrics)
    }
}
