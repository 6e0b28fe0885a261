import Foundation
import NeuralNetworks
import Tensors

/// BERT for sentence-pair classification (Hugging Face's `BertForSequenceClassification`): the
/// pair is encoded as `[CLS] a [SEP] b [SEP]`; the pooled [CLS] state (the pooler's dense + tanh
/// when the model has one, else the raw state) goes through dropout and a linear layer.
///
/// ```swift
/// let classifier = SentencePairClassifier(encoder: encoder, classes: 3, generator: &g)
/// let logits = classifier.logits([("A man plays.", "A person plays.")], maxLength: 64)  // [1, 3]
/// ```
public final class SentencePairClassifier: Module {
    public let encoder: SentenceEncoder
    public let dropout: Dropout
    public let classifier: Linear

    public init(encoder: SentenceEncoder, classes: Int, generator: inout RandomGenerator) {
        ensure(classes >= 2, "SentencePairClassifier: needs at least 2 classes, got \(classes)")
        self.encoder = encoder
        dropout = Dropout(probability: encoder.model.hiddenDropout, source: encoder.model.source)
        classifier = Linear(inputSize: encoder.model.hiddenSize, outputSize: classes, generator: &generator)
        super.init()
        register(child: encoder.model, as: "bert")
        register(child: dropout, as: "dropout")
        register(child: classifier, as: "classifier")
    }

    /// `[pairs.count, classes]` logits, recorded for differentiation in training mode.
    public func logits(_ pairs: [(String, String)], maxLength: Int) -> Tensor {
        let output = encoder.model(TokenBatch(encoder.tokenizer.encodeBatch(pairs: pairs, maxLength: maxLength)))
        let pooled = output.pooled ?? output.lastHiddenState.slice(axis: 1, 0..<1).squeezed(axis: 1)
        return classifier(dropout(pooled))
    }

    /// The most likely class of each pair, in evaluation mode without gradients.
    public func predict(_ pairs: [(String, String)], maxLength: Int, batchSize: Int = 64) -> [Int] {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return withoutGradient {
            stride(from: 0, to: pairs.count, by: batchSize).flatMap { start -> [Int] in
                let chunk = Array(pairs[start..<min(start + batchSize, pairs.count)])
                let scores = logits(chunk, maxLength: maxLength)
                let classes = scores.shape[1], values = scores.scalars
                return (0..<chunk.count).map { row in
                    (0..<classes).max { values[row * classes + $0] < values[row * classes + $1] }!
                }
            }
        }
    }

    /// Writes a Hugging Face `BertForSequenceClassification` folder: `model.safetensors` and a
    /// `config.json` whose `id2label` names the classes in order.
    public func save(to folder: URL, labels: [String]) throws {
        ensure(labels.count == classifier.outputSize, "SentencePairClassifier.save: \(labels.count) labels for \(classifier.outputSize) classes")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SafeTensors.write(stateDict(), metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors").path)
        var config = encoder.model.configurationJSON
        // Only BERT's classification head (pooler, dropout, linear) is this one; other families'
        // classifier folders keep the layout without claiming a transformers class.
        config["architectures"] = config["model_type"] as? String == "bert" ? ["BertForSequenceClassification"] : nil
        config["id2label"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ("\($0.offset)", $0.element) })
        config["label2id"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: folder.appendingPathComponent("config.json"))
    }
}
