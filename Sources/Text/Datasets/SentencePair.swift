/// Two sentences meant to be close in embedding space (a positive pair), or simply paired.
public struct SentencePair: Sendable, Hashable {
    /// The first sentence (the anchor).
    public var first: String
    /// The second sentence (the positive).
    public var second: String

    /// Creates a pair.
    public init(_ first: String, _ second: String) {
        self.first = first
        self.second = second
    }
}
