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
        embeddings, no image augmentation. On Shapes and caption files the peak learning rate is \(TrainingSettings.alignCaptionsLearningRate) \
        by default (1e-3 on fashion-mnist). \(defaultEpochs(name))
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
        + "; on a caption file, \(TrainingSettings.defaultCaptionFileExamples(method: method)) images seen (steps: that over --batch-size), whatever its size. "
        + "A validation split (--validation-fraction of the training images, or --eval-data) is evaluated every tenth of the run "
        + "(--eval-every), keeps best/, and calibrates ITM re-ranking (itm_rerank.json)."
}

/// The images an image-text run trains on and validates on: `--eval-data` (a caption file, its
/// images through `prepare`), else `--validation-fraction` of `data` held out; Fashion-MNIST
/// keeps all its training images (it validates by zero-shot accuracy on its test images).
private func validationSplit(_ c: TrainingSettings, of data: CaptionedImages, preparing prepare: ((Image) -> Image)? = nil)
    throws -> (training: CaptionedImages, validation: CaptionedImages?) {
    if let file = c.evaluationData {
        let validation = try ImageTextData.test(file, preparing: prepare)
        guard !validation.images.isEmpty else { throw CLIError.data("--eval-data \(file): no images") }
        return (data, validation)
    }
    guard c.dataset != "fashion-mnist" else { return (data, nil) }
    let split = ImageTextData.holdingOut(c.validationFraction, of: data)
    if split.validation != nil && split.training.count < c.batchSize {
        throw CLIError.usage("--validation-fraction \(c.validationFraction): the \(split.training.count) images left to train on cannot fill a batch of \(c.batchSize)")
    }
    return split
}

/// Evaluates retrieval on `validation` during `trainer`'s run, every tenth of it unless
/// `--eval-every` says otherwise, keeping `best/` by `val_t2i_r1`.
private func monitorValidation(_ trainer: Trainer, _ c: TrainingSettings, session: TrainingSession, _ measure: @escaping () -> [String: Double]) {
    trainer.evaluateEvery = c.evaluateEvery ?? max(1, trainer.totalSteps / 10)
    session.monitor(trainer, primary: LearningCurve.validationMetric) {
        Dictionary(uniqueKeysWithValues: measure().map { ("val_\($0.key)", $0.value) })
    }
}

/// Chooses ITM re-ranking on `validation` for the trained model in `run` (and its `best/`), and
/// stores it there (``ITMReranking``); says what it chose. Nothing for a model without ITM.
private func calibrateReranking(_ run: URL, on validation: CaptionedImages, session: TrainingSession) throws {
    guard session.communicator.isRoot else { return }
    for folder in [run, run.appendingPathComponent("best")] where FileManager.default.fileExists(atPath: folder.appendingPathComponent(ImageTextModelFolder.configurationFile).path) {
        let model = try ImageTextModelFolder.load(folder)
        guard let reranking = ITMReranking.calibrate(model, on: validation) else { return }
        try reranking.save(to: folder)
        if !session.quiet {
            let verdict = reranking.isUsed ? "--rerank itm re-ranks the best \(reranking.depth) candidates with ITM weight \(reranking.weight)"
                                           : "--rerank itm is refused (ITM did not beat ITC)"
            Report.info("\(folder.lastPathComponent): \(verdict); \(reranking.summary)")
        }
    }
}

/// The small towers' shape for `data`'s images (their size and channels, and pixel statistics).
private func smallTowers(_ c: TrainingSettings, for data: CaptionedImages) -> ImageTextConfiguration {
    let first = data.images[0]
    return ImageTextConfiguration(method: c.method, imageSize: first.height, channels: first.channels, normalization: ImageTextData.normalization(for: data))
}

/// Loads `c.dataset` (a caption file's images through `prepare`, or else at 32x32), holds out
/// its validation split, makes the method with `method`, trains it, calibrates ITM re-ranking on
/// the validation split and prints the summary.
private func trainImageText(_ c: TrainingSettings, session: TrainingSession, preparing prepare: ((Image) -> Image)? = nil,
                            method: (CaptionedImages) throws -> ImageTextTraining) throws {
    let all = try ImageTextData.training(c.dataset, preparing: prepare)
    guard !all.images.isEmpty else { throw CLIError.data("\(c.dataset): no images") }
    let (data, validation) = try validationSplit(c, of: all, preparing: prepare)
    // The trainer checks the data against the settings before the folder is opened.
    let training = try method(data)
    let trainer = try Trainer(method: training, settings: c, output: session.destination, communicator: session.communicator)
    if let validation {
        monitorValidation(trainer, c, session: session) { TrainingMonitor.retrieval(training.model, on: validation) }
    } else if c.evaluateEvery != nil {
        // Zero-shot accuracy on the first 2,000 Fashion-MNIST test images.
        guard c.dataset == "fashion-mnist" else { throw CLIError.usage("--eval-every: no validation split (--validation-fraction is 0 and no --eval-data)") }
        let test = try FashionMNIST.load(.test)
        let (images, labels) = (Array(test.images.prefix(2000)), Array(test.labels.prefix(2000)))
        session.monitor(trainer, primary: "zero_shot_accuracy") { try TrainingMonitor.zeroShotAccuracy(training.model, images: images, labels: labels) }
    }
    let summary = try session.train(trainer)
    if let validation, !summary.wasComplete { try calibrateReranking(session.destination, on: validation, session: session) }
    try session.printSummary(summary)
}

/// `contrast train albef`.
enum ALBEFCommand: MethodCommand {
    static let name = ALBEF.method
    static let abstract = "ALBEF: image-text contrastive (momentum distillation, queues), matching (hard negatives) and masked language modelling."
    static let discussion = """
        A ViT (32 px, patches of 8, 3 layers, width 64), a 2-layer text and a 2-layer fusion encoder from scratch (Li et al. 2021 \
        scaled down), then retrieval recall on the Shapes test split by ITC alone and with ITM re-ranking as the validation split chose it. \(defaultEpochs(name))
        """
    static func train(_ settings: TrainingSettings, session: TrainingSession) throws {
        let all = settings.dataset == "shapes"
            ? ShapesDataset(split: .train, count: settings.trainCount, size: settings.albefShape.imageSize).captioned()
            : try ImageTextData.training(settings.dataset)
        let (data, validation) = try validationSplit(settings, of: all)
        let albef = try ALBEFPretraining(settings: settings, data: data)
        let trainer = try Trainer(method: albef, settings: settings, output: session.destination, communicator: session.communicator)
        let test = settings.dataset == "shapes" && settings.testCount > 0 ? try ImageTextData.test("shapes", count: settings.testCount) : nil
        if let validation {
            monitorValidation(trainer, settings, session: session) {
                ALBEFRetrievalReport.evaluate(albef.model, on: validation, quiet: true).reduce(into: [:]) { $0[String($1.key.dropFirst(4))] = $1.value }
            }
        } else if settings.evaluateEvery != nil {
            throw CLIError.usage("--eval-every: no validation split (--validation-fraction is 0 and no --eval-data)")
        }
        let summary = try session.train(trainer)
        if let validation, !summary.wasComplete { try calibrateReranking(session.destination, on: validation, session: session) }
        // The retrieval benchmark: the Shapes test split (held out by construction), by process 0,
        // re-ranked by ITM as the validation split chose.
        var metrics: [String: Double] = [:]
        if let test, !summary.wasComplete, session.communicator.isRoot {
            let evaluationStart = ContinuousClock.now
            let reranking = try ITMReranking.load(from: session.destination)
            metrics = ALBEFRetrievalReport.evaluate(albef.model, on: test, reranking: reranking, quiet: session.quiet)
            ALBEFRetrievalReport.lines(metrics).forEach { Report.info("shapes test: " + $0) }
            metrics["evaluation_seconds"] = (ContinuousClock.now - evaluationStart).seconds
        }
        try session.printSummary(summary, metrics: metrics)
    }
}
