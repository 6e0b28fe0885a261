import Foundation

/// The first stage of a ``PipelineTokenizer``: rewrites the text between added tokens before it
/// is cut into pieces, as a `tokenizers` normalizer does.
protocol Normalizer: Sendable {
    func normalize(_ text: String) -> String
}

/// `Sequence`: each normalizer in turn.
struct NormalizerSequence: Normalizer {
    let normalizers: [any Normalizer]

    func normalize(_ text: String) -> String {
        normalizers.reduce(text) { $1.normalize($0) }
    }
}

/// `NFC`, `NFD`, `NFKC` and `NFKD`: a Unicode normalization form.
struct UnicodeNormalizer: Normalizer {
    enum Form: String {
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
    }

    let form: Form

    func normalize(_ text: String) -> String {
        switch form {
        case .nfc: text.precomposedStringWithCanonicalMapping
        case .nfd: text.decomposedStringWithCanonicalMapping
        case .nfkc: text.precomposedStringWithCompatibilityMapping
        case .nfkd: text.decomposedStringWithCompatibilityMapping
        }
    }
}

/// `Lowercase`: each scalar's full lower-case mapping, without context (no final sigma), as
/// Rust's `char::to_lowercase`.
struct LowercaseNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { output.appendLowercased(scalar) }
        return String(output)
    }
}

/// `Strip`: whitespace removed from the start (`left`) and the end (`right`).
struct StripNormalizer: Normalizer {
    let left: Bool
    let right: Bool

    func normalize(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        if left { scalars = scalars.drop { $0.properties.isWhitespace } }
        if right {
            while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        }
        return String(scalars)
    }
}

/// `StripAccents`: every combining mark (Mn, Mc, Me) removed; files pair it with `NFD` so that
/// accented letters are decomposed first.
struct StripAccentsNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        String(scalars: text.unicodeScalars.filter { !$0.isMark })
    }
}

/// `Prepend`: `prefix` before any text that is not empty.
struct PrependNormalizer: Normalizer {
    let prefix: String

    func normalize(_ text: String) -> String {
        text.isEmpty ? text : prefix + text
    }
}

/// `Replace`: every match of `pattern` replaced by `content`.
struct ReplaceNormalizer: Normalizer {
    let pattern: any TextPattern
    let content: String

    func normalize(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        for segment in pattern.segments(of: scalars) {
            if segment.isMatch {
                output.append(contentsOf: content.unicodeScalars)
            } else {
                output.append(contentsOf: scalars[segment.range])
            }
        }
        return String(output)
    }
}

extension String.UnicodeScalarView {
    /// Appends `scalar`'s full lower-case mapping (`İ` gives `i` and a combining dot).
    mutating func appendLowercased(_ scalar: Unicode.Scalar) {
        if scalar.properties.changesWhenLowercased {
            append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        } else {
            append(scalar)
        }
    }
}
