import Foundation

/// `tokenizers`' `BertNormalizer` (what `BertTokenizerFast` runs), in one pass over the scalars:
/// cleaning (control characters, NUL and U+FFFD removed, whitespace made a space), spaces around
/// CJK ideographs, accent stripping (NFD, nonspacing marks dropped), then lower-casing.
struct BertNormalizer: Normalizer {
    let options: NormalizationOptions

    func normalize(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        let stripAccents = options.stripsAccents
        for scalar in text.unicodeScalars {
            if scalar.isASCII && !(options.cleanText && scalar.isBertWhitespace) {
                // Fast path: no accents, no CJK, one-byte lower-casing.
                var byte = UInt8(scalar.value)
                if options.cleanText && scalar.isBertControl { continue }
                if options.lowercase && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                output.append(Unicode.Scalar(byte))
                continue
            }
            if options.cleanText {
                if scalar.value == 0xFFFD || scalar.isBertControl { continue }
                if scalar.isBertWhitespace {
                    output.append(" ")
                    continue
                }
            }
            let isolated = options.handleChineseCharacters && scalar.isCJKIdeograph
            if isolated { output.append(" ") }
            if stripAccents {
                // NFD one scalar at a time equals NFD of the text except for the canonical
                // reordering of marks, which only matters among the marks dropped here.
                for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                where part.properties.generalCategory != .nonspacingMark {
                    appendCased(part, to: &output)
                }
            } else {
                appendCased(scalar, to: &output)
            }
            if isolated { output.append(" ") }
        }
        return String(output)
    }

    private func appendCased(_ scalar: Unicode.Scalar, to output: inout String.UnicodeScalarView) {
        if options.lowercase {
            output.appendLowercased(scalar)
        } else {
            output.append(scalar)
        }
    }
}
