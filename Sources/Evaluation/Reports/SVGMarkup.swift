import Foundation

/// SVG text built element by element, with every attribute value and text node XML-escaped so
/// that titles and series names taken from files cannot break the document.
struct SVGMarkup {
    private var lines: [String] = []
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Appends `<name attributes>text</name>`, or a self-closing element when `text` is `nil`.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil) {
        let start = name + Self.attributes(attributes)
        lines.append(text.map { "<\(start)>\(Self.escape($0))</\(name)>" } ?? "<\(start)/>")
    }

    /// Opens a group; close it with ``close(_:)``.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        lines.append("<\(name)\(Self.attributes(attributes))>")
    }

    /// Closes an element opened with ``open(_:_:)``.
    mutating func close(_ name: String) { lines.append("</\(name)>") }

    /// The complete document.
    var document: String {
        let header = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="sans-serif" font-size="12">
            """
        return ([header] + lines + ["</svg>", ""]).joined(separator: "\n")
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    /// `text` safe inside an XML attribute value or text node.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            // XML 1.0 cannot represent other control characters, even escaped.
            case _ where character.unicodeScalars.contains { $0.value < 0x20 && !"\t\n\r".unicodeScalars.contains($0) }:
                escaped += "\u{FFFD}"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A coordinate with two decimals (sub-pixel precision is invisible and bloats the file).
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
