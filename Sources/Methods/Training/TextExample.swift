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
