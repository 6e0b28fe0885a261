import Foundation

/// Normalises text and splits it into words (whitespace-separated runs, with every punctuation
/// character and CJK ideograph a word of its own), in one pass over the Unicode scalars.
///
/// It reproduces `BertNormalizer` followed by `BertPreTokenizer` from Hugging Face `tokenizers`
/// (what `BertTokenizerFast` runs): cleaning, CJK isolation, accent stripping, then per-character
/// lower-casing. Words are handed out as UTF-8 bytes because WordPiece matches bytes.
struct BasicTokenizer: Sendable {
    let options: NormalizationOptions

    /// Calls `body` with the UTF-8 bytes of each word of `text`, in order.
    func forEachWord(in text: Substring, _ body: ([UInt8]) -> Void) {
        // The splitter only calls `body` during this function.
        withoutActuallyEscaping(body) { body in split(text, into: WordSplitter(body: body)) }
    }

    private func split(_ text: Substring, into splitter: consuming WordSplitter) {
        splitter.word.reserveCapacity(64)
        let stripAccents = options.stripsAccents
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                // Fast path: no accents, one-byte lower-casing, no CJK.
                var byte = UInt8(scalar.value)
                if options.cleanText && scalar.isBertControl { continue }
                if options.lowercase && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                splitter.add(Unicode.Scalar(byte))
                continue
            }
            if options.cleanText {
                if scalar.value == 0xFFFD || scalar.isBertControl { continue }
                if scalar.isBertWhitespace {
                    splitter.endWord()
                    continue
                }
            }
            let isolated = options.handleChineseCharacters && scalar.isCJKIdeograph
            if isolated { splitter.endWord() }
            if stripAccents {
                // NFD one scalar at a time equals NFD of the text except for the canonical
                // reordering of marks, which only matters among the marks dropped here.
                let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                for part in decomposed where part.properties.generalCategory != .nonspacingMark {
                    addLowercased(part, to: &splitter)
                }
            } else {
                addLowercased(scalar, to: &splitter)
            }
            if isolated { splitter.endWord() }
        }
        splitter.endWord()
    }

    /// Lower-cases per scalar (no context such as the Greek final sigma), as `tokenizers` does.
    private func addLowercased(_ scalar: Unicode.Scalar, to splitter: inout WordSplitter) {
        guard options.lowercase, scalar.properties.changesWhenLowercased else {
            splitter.add(scalar)
            return
        }
        for lower in scalar.properties.lowercaseMapping.unicodeScalars { splitter.add(lower) }
    }
}

/// Accumulates normalised scalars into words, splitting on whitespace and punctuation.
private struct WordSplitter {
    let body: ([UInt8]) -> Void
    var word: [UInt8] = []

    mutating func add(_ scalar: Unicode.Scalar) {
        if scalar.isBertWhitespace {
            endWord()
        } else if scalar.isBertPunctuation {
            endWord()
            append(scalar)
            endWord()
        } else {
            append(scalar)
        }
    }

    mutating func endWord() {
        guard !word.isEmpty else { return }
        body(word)
        word.removeAll(keepingCapacity: true)
    }

    private mutating func append(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            word.append(UInt8(scalar.value))
        } else {
            UTF8.encode(scalar) { word.append($0) }
        }
    }
}
