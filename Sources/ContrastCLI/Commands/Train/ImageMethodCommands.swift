import Evaluation
import Foundation
import Methods
import Models
import Vision

/// `contrast train simclr`.
enum SimCLRCommand: MethodCommand {
    static let name = "simclr"
    static let abstract = "SimCLR: NT-Xent over two augmented views of each image, ResNet encoder with an MLP head."
    static let discussion = "Defaults: SimCLR's recipe scaled to a short CPU run on 28x28 images; both views go through the encoder as one batch, so BatchNorm normalises them together."
    static func train(_ c: TrainingSettings, session: TrainingSession) throws { try trainImageMethod(c, session: session) }
}

/// `contrast train moco`.
enum MoCoCommand: MethodCommand {
    static let name = "moco"
    static let abstract = "MoCo v2: InfoNCE of queries against a momentum key encoder's keys and a queue of past keys."
    static let discussion = "Defaults: MoCo v2 scaled to a short CPU run; queries from the first view, keys from the momentum encoder on the second."
    static func train(_ c: TrainingSettings, session: TrainingSession) throws { try trainImageMethod(c, session: session) }
}

/// Reads the images, trains `c`'s method and prints the summary.
private func trainImageMethod(_ c: TrainingSettings, session: TrainingSession) throws {
    let data = try ImageDataset.load(c.dataset, split: .train)
    let method = try ImageTraining(ImageTraining.method(for: c, channels: data.images[0].channels), configuration: c, images: data.images, normalization: data.normalization)
    let trainer = try Trainer(method: method, settings: c, output: session.destination, communicator: session.communicator)
    if c.evaluateEvery != nil {
        // kNN accuracy of the test split's first 1,000 images among the training split's first 5,000.
        let test = try ImageDataset.load(c.dataset, split: .test)
        guard let labels = data.labels, let testLabels = test.labels else { throw CLIError.usage("--eval-every: \(c.dataset) has no labels to evaluate with") }
        let train = (Array(data.images.prefix(5000)), Array(labels.prefix(5000))), held = (Array(test.images.prefix(1000)), Array(testLabels.prefix(1000)))
        session.monitor(trainer, primary: "knn_accuracy") {
            TrainingMonitor.knnAccuracy(train: train, test: held) { method.model.features(of: $0) }
        }
    }
    try session.printSummary(session.train(trainer))
}
