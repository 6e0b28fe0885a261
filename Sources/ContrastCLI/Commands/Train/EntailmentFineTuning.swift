import Evaluation
import Foundation
import Methods
import Models
import NeuralNetworks
import Tensors
import Text

/// CERT's second stage on SICK: a 3-class entailment classifier over the trained encoder.
enum EntailmentFineTuning {
    /// The labelled pairs of a SICK file.
    static func pairs(_ url: URL) throws -> [LabelledPair] { LabelledPair.entailment(sick: try SICK.read(url).examples) }

    /// Fine-tunes on `trainPairs` (read with ``pairs(_:)`` before stage 1, so that a bad file stops
    /// the run before it trains), saves the classifier under `output/classifier`, and returns the final accuracy.
    static func run(encoder: Models.SentenceEncoder, training: PairClassificationTraining, trainPairs: [LabelledPair], evalPairs: [LabelledPair],
                    output: URL, quiet: Bool) throws -> Double {
        var generator = RandomGenerator(seed: training.seed &+ 7)
        let classifier = SentencePairClassifier(encoder: encoder, classes: 3, generator: &generator)
        let steps = (trainPairs.count + training.batchSize - 1) / training.batchSize * training.epochs
        let bar = ProgressBar(total: steps, label: "fine-tune sick", unit: "steps", quiet: quiet)
        let accuracies = training.run(classifier, train: trainPairs, evaluation: evalPairs) { step, _, loss in
            bar.update(done: step, detail: "loss \(Format.fixed(Double(loss), 4))")
        }
        bar.finish()
        let folder = output.appendingPathComponent("classifier")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SafeTensors.write(classifier.stateDict(), metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors").path)
        var config = encoder.model.configuration.jsonObject
        config["architectures"] = ["BertForSequenceClassification"]
        config["id2label"] = ["0": "ENTAILMENT", "1": "NEUTRAL", "2": "CONTRADICTION"]
        config["label2id"] = ["ENTAILMENT": 0, "NEUTRAL": 1, "CONTRADICTION": 2]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: folder.appendingPathComponent("config.json"))
        let accuracy = accuracies.last ?? 0
        Report.info("SICK entailment accuracy by epoch: " + accuracies.map { Format.fixed($0 * 100, 2) }.joined(separator: ", ") + "; classifier saved to \(folder.path)")
        return accuracy
    }
}
