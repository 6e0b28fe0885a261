import Evaluation
import Foundation
import Testing

@Suite struct ChartTests {
    @Test func titleAndNamesAreEscaped() throws {
        let title = "Loss <&> \"quoted\" 'single'"
        let chart = Chart(title: title, xLabel: "x < 1 & y", yLabel: "y",
                          series: [ChartSeries(name: "a<b", points: [(0, 1), (1, 2)]), ChartSeries(name: "c&d", points: [(0, 2), (1, 1)])])
        let text = chart.svg()
        #expect(text.contains("Loss &lt;&amp;&gt; &quot;quoted&quot; &apos;single&apos;"))
        let svg = try ParsedSVG(text)
        #expect(svg.texts(class: "title") == [title])
        #expect(svg.texts(class: "axis-label") == ["x < 1 & y", "y"])
        #expect(svg.elements(class: "legend-entry").count == 2)
        #expect(svg.elements.filter { $0.name == "text" }.map(\.text).contains("a<b"))
        #expect(svg.elements(class: "series-group").map { $0.attributes["data-series"] } == ["a<b", "c&d"])
    }

    @Test func controlCharactersCannotBreakTheDocument() throws {
        let chart = Chart(title: "bell\u{7} tab\t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "s", points: [(0, 0)])])
        let svg = try ParsedSVG(chart.svg())
        #expect(svg.texts(class: "title") == ["bell\u{FFFD} tab\t"])
    }

    @Test func oneSeriesHasNoLegendAndEachMarkDrawsWhatItSays() throws {
        let points: [(x: Double, y: Double)] = [(1, 3), (2, 1), (3, 2)]
        func parsed(_ mark: ChartSeries.Mark) throws -> ParsedSVG {
            try ParsedSVG(Chart(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "s", points: points, mark: mark)]).svg())
        }
        let line = try parsed(.line), dots = try parsed(.points), both = try parsed(.lineAndPoints)
        #expect(line.elements(class: "legend-entry").isEmpty)
        #expect((line.elements(class: "series").count, line.elements(class: "point").count) == (1, 0))
        #expect((dots.elements(class: "series").count, dots.elements(class: "point").count) == (0, 3))
        #expect((both.elements(class: "series").count, both.elements(class: "point").count) == (1, 3))
        // The path goes through the dots in the order given.
        let path = ParsedSVG.pathPoints(both.elements(class: "series")[0])
        let dotsAt = both.elements(class: "point").map { (x: Double($0.attributes["cx"]!)!, y: Double($0.attributes["cy"]!)!) }
        #expect(path.map(\.x) == dotsAt.map(\.x) && path.map(\.y) == dotsAt.map(\.y))
        // y grows upwards: the highest value is drawn nearest the top.
        #expect(dotsAt.map(\.y).min() == dotsAt[0].y)
    }

    @Test func ticksAreRoundNumbersFramingTheData() throws {
        let chart = Chart(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "s", points: [(0, 0.13), (97, 0.87)])])
        let svg = try ParsedSVG(chart.svg())
        let x = svg.elements.filter { $0.attributes["class"] == "tick-label" && $0.attributes["text-anchor"] == "middle" }.map(\.text)
        let y = svg.elements.filter { $0.attributes["class"] == "tick-label" && $0.attributes["text-anchor"] == "end" }.map(\.text)
        #expect(x == ["0", "20", "40", "60", "80", "100"])
        #expect(y == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    @Test func nonFinitePointsAreLeftOut() throws {
        let chart = Chart(title: "t", xLabel: "x", yLabel: "y",
                          series: [ChartSeries(name: "s", points: [(0, 1), (1, .nan), (2, .infinity), (3, 2)], mark: .lineAndPoints)])
        let svg = try ParsedSVG(chart.svg())
        #expect(svg.elements(class: "point").count == 2)
        #expect(ParsedSVG.pathPoints(svg.elements(class: "series")[0]).count == 2)
    }
}
