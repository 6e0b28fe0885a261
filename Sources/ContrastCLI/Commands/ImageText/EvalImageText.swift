import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Vision

/// `contrast eval zeroshot`: zero-shot classification of Fashion-MNIST with a prompt ensemble.
struct EvalZeroShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zeroshot",
        abstract: "Zero-shot classification accuracy of an image-text model (an ensemble of prompt templates per class name).")

    @Option(help: "Image-text model folder (contrast train align|vlmo).") var model: String
    @Option(help: "Data set: fashion-mnist.") var dataset = "fashion-mnist"
    @Option(help: "Split: test or train.") var split = "test"
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard dataset == "fashion-mnist" else { throw ValidationError("zero-shot classification supports --dataset fashion-mnist") }
        guard FashionMNIST.Split(rawValue: split) != nil else { throw ValidationError("--split must be test or train") }
    }

    func run() throws {
        let encoder = try ImageTextModelFolder.load(URL(fileURLWithPath: model))
        let data = try FashionMNIST.load(FashionMNIST.Split(rawValue: split)!)
        if !quiet { Report.info("embedding \(data.images.count) images and the class prompts...") }
        let accuracy = TrainingMonitor.zeroShotAccuracy(encoder, images: data.images, labels: data.labels)["zero_shot_accuracy"]!
        Report.result(json: json, "zero-shot accuracy on fashion-mnist \(split): \(Format.fixed(accuracy, 4)) (\(data.images.count) images)")
        if json { try Report.json(["accuracy": accuracy]) }
    }
}

/// `contrast eval retrieval`: text-to-image and image-to-text recall at 1, 5, 10.
struct EvalRetrieval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Image-text retrieval recall@1/5/10 in both directions (shapes test: \(ImageTextData.shapesTestCount) images and all their captions).",
        discussion: "--rerank itm re-orders each query's 16 best candidates by the model's image-text matching head (VLMo, ALBEF).")

    @Option(help: "Image-text model folder.") var model: String
    @Option(help: "shapes or a caption file.") var dataset = "shapes"
    @Option(help: "Split: test (shapes).") var split = "test"
    @Option(help: "Re-rank each query's best candidates with the model's image-text matching head: itm (default: none).") var rerank: String?
    @Option(name: .customLong("test-count"), help: "Shapes test images.") var testSize = ImageTextData.shapesTestCount
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard split == "test" else { throw ValidationError("--split must be test") }
        guard testSize > 0 else { throw ValidationError("--test-count must be positive") }
        if let rerank, rerank != "itm" { throw ValidationError("--rerank must be itm") }
    }

    func run() throws {
        let encoder = try ImageTextModelFolder.load(URL(fileURLWithPath: model))
        let data = try ImageTextData.test(dataset, count: testSize)
        let texts = data.pairs.map(\.caption)
        let retrieval = CrossModalRetrieval(imageOfText: data.pairs.map(\.image), imageCount: data.count)
        if !quiet { Report.info("embedding \(texts.count) captions and \(data.count) images...") }
        let similarity = encoder.encodeTexts(texts).matmul(encoder.encodeImages(data.images), transposeOther: true)
        var reranker: CrossModalRetrieval.Reranker?
        var imageReranker: ((Int, [Int]) -> [Float])?
        var bar: ProgressBar?
        if rerank != nil {
            guard encoder.matchScores(texts: [texts[0]], images: [data.images[0]]) != nil else {
                throw CLIError.usage("--rerank itm: the \(type(of: encoder).method) model has no image-text matching head")
            }
            // Every caption and every image is a query whose candidates the ITM head scores.
            let progress = ProgressBar(total: texts.count + data.count, label: "re-rank itm", unit: "queries", quiet: quiet)
            bar = progress
            var done = 0
            reranker = { t, images in
                done += 1
                progress.update(done: done)
                return encoder.matchScores(texts: [texts[t]], images: images.map { data.images[$0] })!.scalars
            }
            imageReranker = { i, candidates in
                done += 1
                progress.update(done: done)
                return encoder.matchScores(texts: candidates.map { texts[$0] }, images: [data.images[i]])!.scalars
            }
        }
        let recall = retrieval.evaluate(similarity: similarity, rerankTextToImage: reranker, rerankImageToText: imageReranker)
        bar?.finish()
        let metrics = recall.metrics
        Report.result(json: json, metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.fixed($0.value, 4))" }.joined(separator: "  ")
                    + " (\(data.count) images, \(texts.count) captions)")
        if json { try Report.json(metrics) }
    }
}
