/// An anchor with a positive and a hard negative, as supervised SimCSE trains on
/// (premise, entailed hypothesis, contradicting hypothesis).
public struct SentenceTriplet: Sendable, Hashable {
    /// The anchor (NLI premise).
    public var anchor: String
    /// A sentence close to the anchor (entailed hypothesis).
    public var positive: String
    /// A sentence that looks close but is not (contradicting hypothesis).
    public var hardNegative: String

    /// Creates a triplet.
    public init(anchor: String, positive: String, hardNegative: String) {
        self.anchor = anchor
        self.positive = positive
        self.hardNegative = hardNegative
    }
}
