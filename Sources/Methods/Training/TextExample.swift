import Text

/// One training example of a text method: an anchor sentence and, for supervised methods, its
/// positive and an optional hard negative.
public struct TextExample: Sendable, Equatable {
    public var anchor: String
    public var positive: String?
    public var hardNegative: String?

    public init(anchor: String, positive: String? = nil, hardNegative: String? = nil) {
        self.anchor = anchor
        self.positive = positive
        self.hardNegative = hardNegative
    }
}

extension TextExample {
    /// Supervised examples from SICK (`contrast train simcse --sick`): each entailed hypothesis is
    /// its premise's positive, and the premise's first contradicting hypothesis, when it has one,
    /// the hard negative.
    public static func supervised(sick pairs: [SICKPair]) -> [TextExample] {
        var contradictions: [String: String] = [:]
        for p in pairs where p.label == .contradiction && contradictions[p.first] == nil { contradictions[p.first] = p.second }
        return pairs.filter { $0.label == .entailment }.map { TextExample(anchor: $0.first, positive: $0.second, hardNegative: contradictions[$0.first]) }
    }
}
