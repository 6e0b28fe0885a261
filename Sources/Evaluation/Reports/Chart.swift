/// A chart of one or more series written as a self-contained SVG document: a title, x and y axes
/// with round-number ticks and labels, an optional right-hand axis for series on a different
/// scale, and a legend when there are several series. Line charts, trajectories and scatter
/// plots are all charts whose series differ in ``ChartSeries/Mark``.
///
/// ```swift
/// let chart = Chart(title: "Training loss", xLabel: "step", yLabel: "loss", secondaryYLabel: "learning rate",
///                   series: [ChartSeries(name: "loss", points: loss),
///                            ChartSeries(name: "learning rate", points: lr, axis: .secondary)])
/// try chart.svg().write(to: url, atomically: true, encoding: .utf8)
/// ```
///
/// Elements carry classes (`title`, `axis-label`, `tick-label`, `legend-entry`, `series`, `point`,
/// `point-label`) so tools and tests can find them.
public struct Chart: Sendable {
    /// The heading above the plot.
    public var title: String
    /// A smaller line under the title (e.g. how to read the chart), or `nil`.
    public var subtitle: String?
    /// The x axis's label.
    public var xLabel: String
    /// The left y axis's label.
    public var yLabel: String
    /// The right y axis's label; the right axis is drawn when a series is on it.
    public var secondaryYLabel: String?
    /// The series, drawn in order (later ones on top).
    public var series: [ChartSeries]
    /// The document's size in pixels.
    public var width: Double
    /// The document's size in pixels.
    public var height: Double

    /// A chart of `series`.
    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, secondaryYLabel: String? = nil,
                series: [ChartSeries], width: Double = 720, height: Double = 440) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.secondaryYLabel = secondaryYLabel
        self.series = series
        self.width = width
        self.height = height
    }

    /// Colours of successive series (colour-blind-safe Okabe-Ito hues).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]

    /// The chart as an SVG document.
    public func svg() -> String {
        var svg = SVGMarkup(width: width, height: height)
        let hasSecondary = series.contains { $0.axis == .secondary }
        svg.element("rect", ["width": "100%", "height": "100%", "fill": "white"])
        svg.element("text", ["class": "title", "x": SVGMarkup.number(width / 2), "y": "24", "text-anchor": "middle",
                             "font-size": "16", "font-weight": "bold"], text: title)
        // Rows under the title push the plot down, so nothing overlaps.
        var top = 36.0
        if let subtitle {
            svg.element("text", ["class": "subtitle", "x": SVGMarkup.number(width / 2), "y": SVGMarkup.number(top + 8),
                                 "text-anchor": "middle", "fill": "#555"], text: subtitle)
            top += 20
        }
        let left = 72.0, right = width - (hasSecondary ? 72 : 24), bottom = height - 52
        if series.count > 1 {
            drawLegend(&svg, left: left, y: top + 8)
            top += 20
        }
        top += 10

        let x = ChartScale(covering: series.flatMap { $0.points.map(\.x) }, pixels: left, right)
        let y = scale(for: .primary, pixels: bottom, top)
        svg.element("rect", ["class": "plot-area", "x": SVGMarkup.number(left), "y": SVGMarkup.number(top),
                             "width": SVGMarkup.number(right - left), "height": SVGMarkup.number(bottom - top),
                             "fill": "none", "stroke": "#999"])
        drawXAxis(&svg, x, y: bottom, top: top)
        drawYAxis(&svg, y, at: left, side: -1, label: yLabel, grid: (left, right))
        let secondary = hasSecondary ? scale(for: .secondary, pixels: bottom, top) : nil
        if let secondary { drawYAxis(&svg, secondary, at: right, side: 1, label: secondaryYLabel ?? "", grid: nil) }

        for (index, series) in series.enumerated() {
            drawSeries(&svg, series, color: Self.palette[index % Self.palette.count],
                       x: x, y: series.axis == .secondary ? secondary ?? y : y)
        }
        return svg.document
    }

    private func scale(for axis: ChartSeries.Axis, pixels start: Double, _ end: Double) -> ChartScale {
        ChartScale(covering: series.filter { $0.axis == axis }.flatMap { $0.points.map(\.y) }, pixels: start, end)
    }

    private func drawLegend(_ svg: inout SVGMarkup, left: Double, y: Double) {
        var cursor = left
        for (index, series) in series.enumerated() {
            let name = series.axis == .secondary ? "\(series.name) (right axis)" : series.name
            svg.open("g", ["class": "legend-entry"])
            svg.element("line", ["x1": SVGMarkup.number(cursor), "y1": SVGMarkup.number(y - 4), "x2": SVGMarkup.number(cursor + 18),
                                 "y2": SVGMarkup.number(y - 4), "stroke": Self.palette[index % Self.palette.count], "stroke-width": "3"])
            svg.element("text", ["x": SVGMarkup.number(cursor + 24), "y": SVGMarkup.number(y)], text: name)
            svg.close("g")
            // No text metrics in plain SVG: 7 px per character of 12 px sans-serif is a safe width.
            cursor += 24 + 7 * Double(name.count) + 20
        }
    }

    private func drawXAxis(_ svg: inout SVGMarkup, _ x: ChartScale, y: Double, top: Double) {
        svg.open("g", ["class": "x-axis"])
        for tick in x.ticks {
            let px = SVGMarkup.number(x.pixel(tick))
            svg.element("line", ["class": "grid", "x1": px, "y1": SVGMarkup.number(top), "x2": px, "y2": SVGMarkup.number(y), "stroke": "#eee"])
            svg.element("line", ["class": "tick", "x1": px, "y1": SVGMarkup.number(y), "x2": px, "y2": SVGMarkup.number(y + 5), "stroke": "#333"])
            svg.element("text", ["class": "tick-label", "x": px, "y": SVGMarkup.number(y + 18), "text-anchor": "middle"], text: x.label(tick))
        }
        svg.element("text", ["class": "axis-label", "x": SVGMarkup.number((x.start + x.end) / 2), "y": SVGMarkup.number(height - 10),
                             "text-anchor": "middle"], text: xLabel)
        svg.close("g")
    }

    /// A vertical axis at `at`, with ticks and labels on `side` (-1 left, 1 right), and grid lines
    /// across `grid` when given (only the primary axis draws them, so they line up with its ticks).
    private func drawYAxis(_ svg: inout SVGMarkup, _ y: ChartScale, at position: Double, side: Double, label: String,
                           grid: (Double, Double)?) {
        svg.open("g", ["class": side < 0 ? "y-axis" : "y-axis-secondary"])
        for tick in y.ticks {
            let py = SVGMarkup.number(y.pixel(tick))
            if let grid {
                svg.element("line", ["class": "grid", "x1": SVGMarkup.number(grid.0), "y1": py, "x2": SVGMarkup.number(grid.1), "y2": py,
                                     "stroke": "#eee"])
            }
            svg.element("line", ["class": "tick", "x1": SVGMarkup.number(position), "y1": py, "x2": SVGMarkup.number(position + 5 * side),
                                 "y2": py, "stroke": "#333"])
            svg.element("text", ["class": "tick-label", "x": SVGMarkup.number(position + 8 * side), "y": SVGMarkup.number(y.pixel(tick) + 4),
                                 "text-anchor": side < 0 ? "end" : "start"], text: y.label(tick))
        }
        // Rotated so a long label runs along the axis instead of into the plot.
        let labelX = side < 0 ? 16 : width - 12, labelY = (y.start + y.end) / 2
        svg.element("text", ["class": "axis-label", "x": SVGMarkup.number(labelX), "y": SVGMarkup.number(labelY), "text-anchor": "middle",
                             "transform": "rotate(\(side < 0 ? -90 : 90) \(SVGMarkup.number(labelX)) \(SVGMarkup.number(labelY)))"],
                    text: label)
        svg.close("g")
    }

    private func drawSeries(_ svg: inout SVGMarkup, _ series: ChartSeries, color: String, x: ChartScale, y: ChartScale) {
        let drawn = series.points.indices.filter { series.points[$0].x.isFinite && series.points[$0].y.isFinite }
        let pixels = drawn.map { (x: x.pixel(series.points[$0].x), y: y.pixel(series.points[$0].y)) }
        svg.open("g", ["class": "series-group", "data-series": series.name])
        if series.mark != .points, !pixels.isEmpty {
            let path = pixels.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(SVGMarkup.number($0.element.x)),\(SVGMarkup.number($0.element.y))" }
            svg.element("path", ["class": "series", "d": path.joined(separator: " "), "fill": "none", "stroke": color,
                                 "stroke-width": "2", "stroke-linejoin": "round"])
        }
        if series.mark != .line {
            // A scatter of many points needs transparency to show where they pile up.
            let (radius, opacity) = series.mark == .points ? ("2.5", "0.5") : ("4", "1")
            for pixel in pixels {
                svg.element("circle", ["class": "point", "cx": SVGMarkup.number(pixel.x), "cy": SVGMarkup.number(pixel.y), "r": radius,
                                       "fill": color, "fill-opacity": opacity])
            }
        }
        if let labels = series.pointLabels {
            for (index, pixel) in zip(drawn, pixels) {
                svg.element("text", ["class": "point-label", "x": SVGMarkup.number(pixel.x + 6), "y": SVGMarkup.number(pixel.y - 6),
                                     "font-size": "10", "fill": "#333"], text: labels[index])
            }
        }
        svg.close("g")
    }
}
