import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Vision

/// `contrast eval zeroshot`: zero-shot classification with a prompt ensemble, of Fashion-MNIST or
/// of labelled images in the ImageFolder layout.
struct EvalZeroShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zeroshot",
        abstract: "Zero-shot classification accuracy of an image-text model (an ensemble of prompt templates per class name).",
        discussion: """
            --images reads labelled images in the ImageFolder layout: one folder per class, named after the class (_ for a space), \
            classes in name order. Each class is the normalised mean of its prompts' normalised embeddings, as CLIP ensembles \
            prompts, and each image takes the most similar class. --json adds each class's accuracy.
            """)

    @Option(help: "Image-text model folder (contrast train align|vlmo|albef, or a Hugging Face CLIP folder).") var model: String
    @Option(help: "Data set: fashion-mnist (default: fashion-mnist, unless --images).") var dataset: String?
    @Option(help: "Split of fashion-mnist: test or train.") var split = "test"
    @Option(help: "Labelled images: a folder holding one folder of .png/.jpg images per class (default: none).") var images: String?
    @Option(help: "Prompt templates, one per line, {} standing for the class name (default: CLIP's 80 ImageNet templates; for fashion-mnist, its own ten).")
    var templates: String?
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    /// Images embedded at a time, so that a folder of photos is never held whole.
    static let chunk = 256

    func validate() throws {
        if images != nil && dataset != nil { throw ValidationError("give --dataset or --images, not both") }
        if let dataset, dataset != "fashion-mnist" {
            throw ValidationError("zero-shot classification supports --dataset fashion-mnist, or labelled images with --images")
        }
        guard FashionMNIST.Split(rawValue: split) != nil else { throw ValidationError("--split must be test or train") }
    }

    func run() throws {
        // The inputs are read (and refused) before the model, which may take long to load.
        let templates = try self.templates.map { try PromptTemplates.read(URL(fileURLWithPath: $0)) }
        if let images {
            let folder = try ImageFolder(URL(fileURLWithPath: images))
            let encoder = try ImageTextModelFolder.load(URL(fileURLWithPath: model))
            let used = templates ?? PromptTemplates.clipImageNet
            if !quiet { Report.info("embedding \(folder.classNames.count) classes x \(used.count) prompts...") }
            let classifier = try ZeroShotClassifier(classNames: folder.classNames, templates: used) { encoder.encodeTexts($0) }
            try report(encoder, classifier, classNames: folder.classNames, templates: used.count, labels: folder.labels, on: folder.root.path) {
                try folder.images.images($0)
            }
        } else {
            let data = try FashionMNIST.load(FashionMNIST.Split(rawValue: split)!)
            let encoder = try ImageTextModelFolder.load(URL(fileURLWithPath: model))
            let used = templates ?? FashionMNIST.promptTemplates
            if !quiet { Report.info("embedding \(FashionMNIST.classNames.count) classes x \(used.count) prompts...") }
            let classifier = try ZeroShotClassifier(prompts: FashionMNIST.prompts(templates: used)) { encoder.encodeTexts($0) }
            try report(encoder, classifier, classNames: FashionMNIST.classNames, templates: used.count, labels: data.labels, on: "fashion-mnist \(split)") {
                Array(data.images[$0])
            }
        }
    }

    /// Classifies the images `load` gives a chunk at a time and prints the accuracy, over all and
    /// (with `--json`) by class.
    private func report(_ encoder: any ImageTextModel, _ classifier: ZeroShotClassifier, classNames: [String], templates: Int, labels: [Int],
                        on what: String, load: (Range<Int>) throws -> [Image]) throws {
        let progress = ProgressBar(total: labels.count, label: "zero-shot", unit: "images", quiet: quiet)
        var predictions: [Int] = []
        for start in stride(from: 0, to: labels.count, by: Self.chunk) {
            let range = start..<min(start + Self.chunk, labels.count)
            predictions += classifier.predict(encoder.encodeImages(try load(range)))
            progress.update(done: range.upperBound)
        }
        progress.finish()
        let (accuracy, perClass) = ZeroShotClassifier.accuracy(predictions: predictions, labels: labels, classes: classNames.count)
        Report.result(json: json, "zero-shot accuracy on \(what): \(Format.fixed(accuracy, 4)) (\(labels.count) images, \(classNames.count) classes)")
        if json {
            struct Result: Encodable { let accuracy: Double, per_class_accuracy: [String: Double], images: Int, classes: Int, templates: Int }
            let byClass = Dictionary(zip(classNames, perClass).compactMap { name, value in value.map { (name, $0) } }) { first, _ in first }
            try Report.json(Result(accuracy: accuracy, per_class_accuracy: byClass, images: labels.count, classes: classNames.count, templates: templates))
        }
    }
}

/// `contrast eval retrieval`: text-to-image and image-to-text recall at 1, 5, 10.
struct EvalRetrieval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Image-text retrieval recall@1/5/10 in both directions (shapes test: \(ImageTextData.shapesTestCount) images and all their captions).",
        discussion: "--rerank itm re-orders each query's best candidates by ITC similarity plus the model's image-text matching head (VLMo, ALBEF), "
            + "with the weight and depth chosen on the training run's validation split (itm_rerank.json in the model folder); "
            + "where ITM did not beat ITC there, it is refused with the validation numbers.")

    @Option(help: "Image-text model folder (or a Hugging Face CLIP folder).") var model: String
    @Option(help: "shapes or a caption file.") var dataset = "shapes"
    @Option(help: "Split: test (shapes).") var split = "test"
    @Option(help: "Re-rank each query's best candidates with the model's image-text matching head, as calibrated on validation: itm (default: none).") var rerank: String?
    @Option(name: .customLong("calibrate-on"), help: ArgumentHelp("With --rerank itm: choose ITM's weight and depth on this data instead of the model's itm_rerank.json: "
        + "shapes (the validation split a Shapes run holds out) or a caption file (default: none).", valueName: "name|path")) var calibrateOn: String?
    @Option(name: .customLong("test-count"), help: "Shapes test images.") var testSize = ImageTextData.shapesTestCount
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard split == "test" else { throw ValidationError("--split must be test") }
        guard testSize > 0 else { throw ValidationError("--test-count must be positive") }
        if let rerank, rerank != "itm" { throw ValidationError("--rerank must be itm") }
        if calibrateOn != nil && rerank == nil { throw ValidationError("--calibrate-on needs --rerank itm") }
    }

    /// ITM re-ranking of `encoder` chosen on `name`: the validation split of Shapes' training
    /// images as a Shapes run holds it out, or a caption file.
    private func calibrate(_ encoder: any ImageTextModel, on name: String) throws -> ITMReranking {
        let validation = name == "shapes"
            ? ImageTextData.holdingOut(TrainingSettings(method: "vlmo").validationFraction, of: try ImageTextData.training("shapes")).validation!
            : try ImageTextData.test(name, preparing: encoder.imagePreparation)
        if !quiet { Report.info("calibrating ITM re-ranking on \(validation.count) images of \(name)...") }
        return ITMReranking.calibrate(encoder, on: validation)!
    }

    func run() throws {
        let encoder = try ImageTextModelFolder.load(URL(fileURLWithPath: model))
        // A caption file's photos are held as the model prepares them (CLIP: resized), else at 32x32.
        let data = try ImageTextData.test(dataset, count: testSize, preparing: encoder.imagePreparation)
        let texts = data.pairs.map(\.caption)
        let retrieval = CrossModalRetrieval(imageOfText: data.pairs.map(\.image), imageCount: data.count)
        if !quiet { Report.info("embedding \(texts.count) captions and \(data.count) images...") }
        let similarity = encoder.encodeTexts(texts).matmul(encoder.encodeImages(data.images), transposeOther: true)
        var recall = retrieval.evaluate(similarity: similarity)
        if rerank != nil {
            guard encoder.matchScores(texts: [texts[0]], images: [data.images[0]]) != nil else {
                throw CLIError.usage("--rerank itm: the \(type(of: encoder).method) model has no image-text matching head")
            }
            let folder = URL(fileURLWithPath: model)
            guard let reranking = try calibrateOn.map({ try calibrate(encoder, on: $0) }) ?? ITMReranking.load(from: folder) else {
                throw CLIError.usage("--rerank itm: \(folder.appendingPathComponent(ITMReranking.fileName).path) is missing: ITM's weight is chosen "
                                     + "on a validation split when training (--validation-fraction above 0, or --eval-data)")
            }
            guard reranking.isUsed else {
                throw CLIError.usage("--rerank itm: ITM re-ranking did not beat ITC on the \(reranking.summary), so it is refused; evaluate without --rerank")
            }
            if !quiet { Report.info("re-ranking each query's \(reranking.depth) best candidates, ITM weight \(reranking.weight) (\(reranking.summary))") }
            // Every caption and every image is a query whose candidates the ITM head scores.
            let bar = ProgressBar(total: texts.count + data.count, label: "re-rank itm", unit: "queries", quiet: quiet)
            recall = retrieval.evaluate(similarity: similarity, reranking: reranking,
                                        textToImage: { t, images in
                                            bar.advance()
                                            return encoder.matchScores(texts: [texts[t]], images: images.map { data.images[$0] })!.scalars
                                        },
                                        imageToText: { i, candidates in
                                            bar.advance()
                                            return encoder.matchScores(texts: candidates.map { texts[$0] }, images: [data.images[i]])!.scalars
                                        })
            bar.finish()
        }
        let metrics = recall.metrics
        Report.result(json: json, metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.fixed($0.value, 4))" }.joined(separator: "  ")
                    + " (\(data.count) images, \(texts.count) captions)")
        if json { try Report.json(metrics) }
    }
}
