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

    /// The names of ``entailment(sick:)``'s classes, in order.
    public static let entailmentLabels = ["ENTAILMENT", "NEUTRAL", "CONTRADICTION"]

    /// The fraction of `pairs` whose class `classifier` predicts.
    public static func accuracy(of classifier: SentencePairClassifier, on pairs: [LabelledPair], maxLength: Int) -> Double {
        guard !pairs.isEmpty else { return 0 }
        let predicted = classifier.predict(pairs.map { ($0.first, $0.second) }, maxLength: maxLength)
        return Double(zip(predicted, pairs).filter { $0 == $1.label }.count) / Double(pairs.count)
    }
}
