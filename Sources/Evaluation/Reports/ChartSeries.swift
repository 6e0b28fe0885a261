import Tensors

/// One data series of a ``Chart``: (x, y) points drawn as a line, as dots, or both.
public struct ChartSeries: Sendable {
    /// How the points are drawn.
    public enum Mark: Sendable {
        /// A line through the points in the order given (no markers).
        case line
        /// A dot per point, unconnected (a scatter plot).
        case points
        /// A line through the points in the order given, with a dot on each.
        case lineAndPoints
    }

    /// Which y axis the series is measured on.
    public enum Axis: Sendable {
        /// The left axis.
        case primary
        /// The right axis, scaled independently (a learning rate beside a loss).
        case secondary
    }

    /// The name shown in the legend.
    public var name: String
    /// The points, drawn in this order (a trajectory need not be sorted by x).
    public var points: [(x: Double, y: Double)]
    /// Text written beside each point (e.g. its step), or `nil` for none; when given, one per point.
    public var pointLabels: [String]?
    /// How the points are drawn.
    public var mark: Mark
    /// Which y axis the series is measured on.
    public var axis: Axis

    /// A series named `name`. Points with a non-finite coordinate are not drawn.
    public init(name: String, points: [(x: Double, y: Double)], pointLabels: [String]? = nil,
                mark: Mark = .line, axis: Axis = .primary) {
        ensure(pointLabels == nil || pointLabels?.count == points.count,
               "ChartSeries \(name): \(pointLabels?.count ?? 0) labels for \(points.count) points")
        self.name = name
        self.points = points
        self.pointLabels = pointLabels
        self.mark = mark
        self.axis = axis
    }
}
