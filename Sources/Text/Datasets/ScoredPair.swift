/// Two sentences with a human similarity score (STS-B: 0-5, SICK relatedness: 1-5).
public struct ScoredPair: Sendable, Hashable {
    /// The first sentence.
    public var first: String
    /// The second sentence.
    public var second: String
    /// The gold similarity score.
    public var score: Double

    /// Creates a scored pair.
    public init(_ first: String, _ second: String, score: Double) {
        self.first = first
        self.second = second
        self.score = score
    }
}
