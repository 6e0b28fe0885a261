import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser lives here on Linux
#endif

/// An SVG document read back with Foundation's `XMLParser`: building one proves the text is
/// well-formed XML, and its elements let tests count what was drawn.
struct ParsedSVG {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Elements in document order, with their text content.
    let elements: [Element]

    init(_ text: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw Malformed(description: "line \(parser.lineNumber): \(parser.parserError.map(String.init(describing:)) ?? "unknown error")")
        }
        elements = collector.elements
    }

    init(contentsOf file: URL) throws {
        try self.init(String(contentsOf: file, encoding: .utf8))
    }

    /// Elements whose `class` attribute is `name`.
    func elements(class name: String) -> [Element] { elements.filter { $0.attributes["class"] == name } }

    /// The text of the elements whose `class` is `name`.
    func texts(class name: String) -> [String] { elements(class: name).map(\.text) }

    /// The points of a path's `d` attribute (`M x,y L x,y ...`).
    static func pathPoints(_ path: Element) -> [(x: Double, y: Double)] {
        (path.attributes["d"] ?? "").split(separator: " ").map { command in
            let xy = command.dropFirst().split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }
}
