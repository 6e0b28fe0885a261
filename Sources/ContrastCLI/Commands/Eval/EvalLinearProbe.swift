import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Tensors
import Vision

/// `contrast eval linear-probe`: linear and k-NN classification of frozen image features.
struct EvalLinearProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-probe",
        abstract: "Linear-probe and k-NN accuracy of a trained image encoder's features (or of raw pixels) on a labelled image set.",
        discussion: """
            The probe (Evaluation.LinearProbe) is a softmax regression on standardised features: AdamW, cosine decay, \
            --probe-epochs passes over the training split, accuracy on the test split. k-NN: cosine similarity, \
            k = --k, votes weighted by exp(similarity / 0.07). Features are the encoder's pooled output before the \
            projection head (with --spatial-features: its last feature maps, flattened). --baseline adds the same two measures on raw pixels (raw_pixel_accuracy, \
            raw_pixel_knn_accuracy); --untrained adds them for a randomly initialised encoder of the model's shape whose BatchNorm \
            statistics are estimated on the training images (untrained_accuracy, untrained_knn_accuracy): what the architecture \
            gives without training. --model raw reports raw pixels alone. Shapes are labelled by the kind of their first shape.
            """)

    @Option(help: "Image model folder written by contrast train simclr|moco, or 'raw' for raw pixels.") var model: String
    @Option(help: "Labelled images: fashion-mnist or shapes.") var dataset = "fashion-mnist"
    @Option(name: .customLong("train-count"), help: "Use only the first N training images (default: all).") var trainLimit: Int?
    @Option(name: .customLong("test-count"), help: "Use only the first N test images (default: all).") var testLimit: Int?
    @Option(name: .customLong("probe-epochs"), help: "Passes of the linear probe over the training features.") var probeEpochs = 30
    @Option(name: .customLong("neighbors"), help: "Neighbours that vote in k-NN.") var k = 200
    @Flag(help: "Also evaluate raw pixels with the same code.") var baseline = false
    @Flag(help: "Also evaluate an untrained encoder of the model's shape (BatchNorm statistics from the training images) with the same code.")
    var untrained = false
    @Flag(name: .customLong("spatial-features"), help: "Probe the last stage's feature maps, flattened, instead of their global average.")
    var spatialFeatures = false
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard trainLimit.map({ $0 > 0 }) ?? true, testLimit.map({ $0 > 0 }) ?? true else { throw ValidationError("--train-count and --test-count must be positive") }
        guard probeEpochs > 0, k > 0 else { throw ValidationError("--probe-epochs and --k must be positive") }
        guard ["fashion-mnist", "shapes"].contains(dataset) else { throw ValidationError("--dataset must be fashion-mnist or shapes (labelled image sets)") }
        guard !(untrained && model == "raw") else { throw ValidationError("--untrained needs a --model folder (its shape)") }
    }

    /// Linear-probe and k-NN accuracy of one kind of features.
    struct Scores { let probe: LinearProbe.Result, knn: Double }

    func run() throws {
        let imageModel = model == "raw" ? nil : try ImageModel(directory: URL(fileURLWithPath: model))
        let train = try ImageDataset.load(dataset, split: .train), test = try ImageDataset.load(dataset, split: .test)
        let trainImages = Array(train.images.prefix(trainLimit ?? .max)), testImages = Array(test.images.prefix(testLimit ?? .max))
        let trainLabels = Array(train.labels!.prefix(trainImages.count)), testLabels = Array(test.labels!.prefix(testImages.count))
        if let imageModel {
            let c = imageModel.configuration
            guard c.channels == trainImages[0].channels else {
                throw CLIError.data("\(model): the encoder reads \(c.channels)-channel images, \(dataset) has \(trainImages[0].channels)")
            }
        }
        let probe = LinearProbe(epochs: probeEpochs)
        func score(_ name: String, _ features: ([Image]) -> Tensor) -> Scores {
            if !quiet { Report.info("\(name): encoding \(trainImages.count) training and \(testImages.count) test images") }
            let x = features(trainImages), xTest = features(testImages)
            if !quiet { Report.info("\(name): linear probe on \(x.shape[1]) features, \(probeEpochs) epochs") }
            let result = probe.evaluate(train: (x, trainLabels), test: (xTest, testLabels))
            let knn = NearestNeighborClassifier(features: x, labels: trainLabels, k: k).accuracy(xTest, labels: testLabels)
            Report.result(json: json, "\(name): linear probe \(Format.fixed(result.testAccuracy, 4)) (train \(Format.fixed(result.trainAccuracy, 4))), k-NN \(Format.fixed(knn, 4))")
            return Scores(probe: result, knn: knn)
        }
        let raw: Scores? = imageModel == nil || baseline
            ? score("raw pixels") { images in
                let x = Tensor(images: images, normalization: train.normalization)
                return x.reshaped([images.count, x.count / images.count])
            }
            : nil
        let learned = imageModel.map { m in score(model) { m.features(of: $0, spatial: spatialFeatures) } }
        let control = try imageModel.flatMap { m in
            untrained ? try ImageModel.untrained(like: m.configuration, calibratedOn: trainImages) : nil
        }.map { m in score("untrained encoder") { m.features(of: $0, spatial: spatialFeatures) } }
        if json {
            struct Output: Encodable {
                let accuracy, train_accuracy, knn_accuracy: Double
                let raw_pixel_accuracy, raw_pixel_knn_accuracy: Double?
                let untrained_accuracy, untrained_knn_accuracy: Double?
                let train_examples, test_examples: Int
                let features: String
            }
            let main = (learned ?? raw)!
            try Report.json(Output(accuracy: main.probe.testAccuracy, train_accuracy: main.probe.trainAccuracy, knn_accuracy: main.knn,
                                   raw_pixel_accuracy: raw?.probe.testAccuracy, raw_pixel_knn_accuracy: raw?.knn,
                                   untrained_accuracy: control?.probe.testAccuracy, untrained_knn_accuracy: control?.knn,
                                   train_examples: trainImages.count, test_examples: testImages.count,
                                   features: imageModel == nil ? "raw pixels" : spatialFeatures ? "encoder feature maps" : "encoder (before the projection head)"))
        }
    }
}
