/// A caption of a ``ShapeScene``, kept as structure so that hard negatives can be made from it:
/// "a small red circle" (one shape) or "a small red circle left of a large blue square".
public struct ShapeCaption: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The shape named first.
    public var first: ShapeObject
    /// The second shape and where the first is relative to it, for two-shape captions.
    public var relation: SpatialRelation?
    /// The second shape named.
    public var second: ShapeObject?
    /// Which phrasing of the relation (or, for one shape, of the sentence) is used.
    public var phrasing: Int

    /// A one-shape caption.
    public init(_ object: ShapeObject, phrasing: Int = 0) {
        self.first = object
        self.relation = nil
        self.second = nil
        self.phrasing = phrasing
    }

    /// A two-shape caption: `first` is `relation` `second`.
    public init(_ first: ShapeObject, _ relation: SpatialRelation, _ second: ShapeObject, phrasing: Int = 0) {
        self.first = first
        self.relation = relation
        self.second = second
        self.phrasing = phrasing
    }

    /// The ways one-shape captions are phrased.
    static let singlePhrasings = ["a {}", "a picture of a {}"]

    /// The sentence.
    public var text: String {
        guard let relation, let second else {
            return Self.singlePhrasings[phrasing].replacing("{}", with: first.description)
        }
        return "a \(first) \(relation.phrasings[phrasing]) a \(second)"
    }

    public var description: String { text }

    /// The ways to turn a true caption into a false one that differs only in how attributes are
    /// bound to shapes: the words are the same, in another order.
    public enum HardNegative: String, Sendable, CaseIterable, Codable {
        /// The two shapes' colours exchanged: "a small blue circle left of a large red square".
        case swappedColors
        /// The two shapes' kinds exchanged: "a small red square left of a large blue circle".
        case swappedKinds
        /// The two shapes' sizes exchanged: "a large red circle left of a small blue square".
        case swappedSizes
        /// The two shapes' places exchanged: "a large blue square left of a small red circle".
        case swappedPositions
    }

    /// The caption made false by `negative`, or `nil` when it does not apply: one-shape captions,
    /// and swaps of an attribute both shapes share (the caption would stay true).
    public func hardNegative(_ negative: HardNegative) -> ShapeCaption? {
        guard let relation, var second else { return nil }
        var first = first
        switch negative {
        case .swappedColors: swap(&first.color, &second.color)
        case .swappedKinds: swap(&first.kind, &second.kind)
        case .swappedSizes: swap(&first.size, &second.size)
        case .swappedPositions: swap(&first, &second)
        }
        guard first != self.first || second != self.second else { return nil }
        return ShapeCaption(first, relation, second, phrasing: phrasing)
    }

    /// The hard negatives that apply, in ``HardNegative`` order.
    public var hardNegatives: [ShapeCaption] { HardNegative.allCases.compactMap(hardNegative) }
}
