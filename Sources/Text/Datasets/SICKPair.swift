/// A SICK sentence pair: relatedness score and entailment label of sentence B given sentence A.
public struct SICKPair: Sendable, Hashable {
    /// The pair's id in the SICK release.
    public var id: Int
    /// Sentence A (the premise).
    public var first: String
    /// Sentence B (the hypothesis).
    public var second: String
    /// Gold relatedness, 1-5.
    public var relatedness: Double
    /// Entailment relation of B given A.
    public var label: EntailmentLabel

    /// Creates a pair.
    public init(id: Int, first: String, second: String, relatedness: Double, label: EntailmentLabel) {
        self.id = id
        self.first = first
        self.second = second
        self.relatedness = relatedness
        self.label = label
    }

    /// The pair with its relatedness as the score, for STS-style evaluation.
    public var scored: ScoredPair { ScoredPair(first, second, score: relatedness) }
}
