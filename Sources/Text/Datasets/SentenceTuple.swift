/// An anchor with a positive and any number of hard negatives: sentence-transformers' n-tuples
/// (anchor, positive, negative_1, ..., negative_n), as hard-negative mining writes them.
public struct SentenceTuple: Sendable, Hashable {
    /// The anchor (a query, an NLI premise).
    public var anchor: String
    /// A sentence close to the anchor.
    public var positive: String
    /// Sentences that look close but are not, hardest first when mined.
    public var negatives: [String]

    /// Creates a tuple.
    public init(anchor: String, positive: String, negatives: [String]) {
        self.anchor = anchor
        self.positive = positive
        self.negatives = negatives
    }
}
