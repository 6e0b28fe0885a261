import Models
import NeuralNetworks
import Tensors
import Text

/// A labelled sentence pair for fine-tuning (e.g. SICK entailment: 0 entailment, 1 neutral,
/// 2 contradiction).
public struct LabelledPair: Sendable, Equatable {
    public var first: String
    public var second: String
    public var label: Int

    public init(_ first: String, _ second: String, label: Int) {
        self.first = first
        self.second = second
        self.label = label
    }

    /// SICK's pairs with their entailment labels as classes: entailment 0, neutral 1,
    /// contradiction 2 (CERT's fine-tuning task).
    public static func entailment(sick pairs: [SICKPair]) -> [LabelledPair] {
        pairs.map { pair in
            let label: Int = switch pair.label {
            case .entailment: 0
            case .neutral: 1
            case .contradiction: 2
            }
            return LabelledPair(pair.first, pair.second, label: label)
        }
    }
}

/// Fine-tuning of a `SentencePairClassifier` with cross-entropy (CERT's second stage, GLUE-style):
/// AdamW with linear decay, shuffled batches, accuracy on held-out pairs after each epoch.
public struct PairClassificationTraining: Sendable {
    public var epochs = 3
    public var batchSize = 32
    public var maxLength = 64
    public var learningRate: Float = 2e-5
    public var weightDecay: Float = 0.01
    public var seed: UInt64 = 42

    public init() {}

    /// Trains `classifier` on `train`; returns the accuracy on `evaluation` after each epoch.
    public func run(_ classifier: SentencePairClassifier, train: [LabelledPair], evaluation: [LabelledPair],
                    onStep: ((Int, Int, Float) -> Void)? = nil) -> [Double] {
        ensure(!train.isEmpty && batchSize > 0 && epochs > 0, "PairClassificationTraining: needs data, a positive batch size and epochs")
        let optimizer = AdamW(parameters: classifier.trainableParameters(), learningRate: learningRate, weightDecay: weightDecay)
        let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
        let schedule = LinearSchedule(peakLearningRate: learningRate, warmupSteps: stepsPerEpoch * epochs / 10, totalSteps: stepsPerEpoch * epochs)
        var generator = RandomGenerator(seed: seed)
        var accuracies: [Double] = []
        var step = 0
        classifier.train()
        for _ in 0..<epochs {
            let order = generator.shuffled(Array(train.indices))
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = order[start..<min(start + batchSize, order.count)].map { train[$0] }
                optimizer.learningRate = schedule.learningRate(at: step)
                optimizer.zeroGrad()
                let loss = classifier.logits(batch.map { ($0.first, $0.second) }, maxLength: maxLength).crossEntropy(targets: batch.map(\.label))
                loss.backward()
                clipGradientNorm(classifier.trainableParameters().map(\.tensor), maxNorm: 1)
                optimizer.step()
                step += 1
                onStep?(step, stepsPerEpoch * epochs, loss.item)
            }
            accuracies.append(Self.accuracy(classifier, evaluation, maxLength: maxLength))
        }
        return accuracies
    }

    /// The fraction of `pairs` whose predicted class is their label.
    public static func accuracy(_ classifier: SentencePairClassifier, _ pairs: [LabelledPair], maxLength: Int) -> Double {
        guard !pairs.isEmpty else { return 0 }
        let predicted = classifier.predict(pairs.map { ($0.first, $0.second) }, maxLength: maxLength)
        return Double(zip(predicted, pairs).filter { $0 == $1.label }.count) / Double(pairs.count)
    }
}
