/// The kinds of shape drawn by ``ShapesDataset``.
public enum ShapeKind: String, Sendable, CaseIterable, Codable {
    case circle, square, triangle, cross
}

/// The colours of ``ShapesDataset``, six well-separated hues.
public enum ShapeColor: String, Sendable, CaseIterable, Codable {
    case red, yellow, green, cyan, blue, purple

    /// The colour at full brightness (RGB in [0, 1]).
    public var rgb: (red: Float, green: Float, blue: Float) {
        switch self {
        case .red: (0.92, 0.12, 0.10)
        case .yellow: (0.95, 0.88, 0.10)
        case .green: (0.12, 0.78, 0.15)
        case .cyan: (0.10, 0.82, 0.90)
        case .blue: (0.15, 0.30, 1.00)
        case .purple: (0.65, 0.20, 0.90)
        }
    }
}

/// The two sizes of ``ShapesDataset``.
public enum ShapeSize: String, Sendable, CaseIterable, Codable {
    case small, large

    /// The shape's radius as a fraction of the image side.
    var radiusFraction: Float { self == .small ? 0.11 : 0.19 }
}

/// What a caption says about one shape: "small red circle".
public struct ShapeObject: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The shape.
    public var kind: ShapeKind
    /// The colour.
    public var color: ShapeColor
    /// The size.
    public var size: ShapeSize

    /// An object description.
    public init(_ size: ShapeSize, _ color: ShapeColor, _ kind: ShapeKind) {
        self.kind = kind
        self.color = color
        self.size = size
    }

    /// "small red circle".
    public var description: String { "\(size.rawValue) \(color.rawValue) \(kind.rawValue)" }
}

/// Where the first shape of a caption is relative to the second.
public enum SpatialRelation: String, Sendable, CaseIterable, Codable {
    case leftOf, rightOf, above, below

    /// The relation seen from the other shape.
    public var converse: SpatialRelation {
        switch self {
        case .leftOf: .rightOf
        case .rightOf: .leftOf
        case .above: .below
        case .below: .above
        }
    }

    /// The ways captions say it.
    public var phrasings: [String] {
        switch self {
        case .leftOf: ["left of", "to the left of"]
        case .rightOf: ["right of", "to the right of"]
        case .above: ["above", "over"]
        case .below: ["below", "under"]
        }
    }
}
