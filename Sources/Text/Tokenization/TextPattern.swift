/// What `Split`, `Replace` and the character-class pre-tokenizers look for, `tokenizers`'
/// `Pattern`: the text cut into its matches and the stretches between them.
protocol TextPattern: Sendable {
    /// Consecutive ranges covering `0..<text.count`, in order, each flagged as a match or not;
    /// none for an empty text.
    func segments(of text: [Unicode.Scalar]) -> [PatternSegment]
}

/// A match of a ``TextPattern``, or a stretch between matches (offsets from the text's start).
struct PatternSegment {
    var range: Range<Int>
    var isMatch: Bool
}

extension TextPattern {
    /// `matches` (in order, not overlapping) and the stretches around them, over `count` scalars.
    static func segments(around matches: [Range<Int>], count: Int) -> [PatternSegment] {
        var segments: [PatternSegment] = []
        var end = 0
        for match in matches {
            if end < match.lowerBound { segments.append(PatternSegment(range: end..<match.lowerBound, isMatch: false)) }
            segments.append(PatternSegment(range: match, isMatch: true))
            end = match.upperBound
        }
        if end < count { segments.append(PatternSegment(range: end..<count, isMatch: false)) }
        return segments
    }
}

/// Every scalar for which `matches` holds is a match of its own (runs are not joined), as
/// `tokenizers`' `Fn(char) -> bool` pattern.
struct CharacterPattern: TextPattern {
    let matches: @Sendable (Unicode.Scalar) -> Bool

    func segments(of text: [Unicode.Scalar]) -> [PatternSegment] {
        Self.segments(around: text.indices.filter { matches(text[$0]) }.map { $0..<$0 + 1 }, count: text.count)
    }
}

/// The non-overlapping occurrences of a literal, leftmost first; an empty literal matches
/// nothing (`tokenizers` matches a `{"String": ...}` pattern as an escaped regex).
struct LiteralPattern: TextPattern {
    let literal: [Unicode.Scalar]

    func segments(of text: [Unicode.Scalar]) -> [PatternSegment] {
        var matches: [Range<Int>] = []
        var position = 0
        while !literal.isEmpty && position + literal.count <= text.count {
            if text[position..<position + literal.count].elementsEqual(literal) {
                matches.append(position..<position + literal.count)
                position += literal.count
            } else {
                position += 1
            }
        }
        return Self.segments(around: matches, count: text.count)
    }
}

/// A `{"Regex": ...}` pattern, written for Oniguruma (which `tokenizers` uses) and read by Swift's
/// `Regex`, which accepts the syntax tokenizer files use (classes, `\p{L}`, look-ahead, `(?i:)`).
/// It matches Unicode scalars, as Oniguruma matches Rust's `char`s, not grapheme clusters.
struct RegexPattern: TextPattern, @unchecked Sendable {
    // `Regex` is an immutable value whose compiled program is built once, atomically, so sharing
    // it between threads is safe; it is not declared Sendable because its output type holds `Any`.
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; throws Swift's description of what it cannot read.
    init(_ pattern: String) throws {
        regex = try Regex(Self.oniguruma(pattern)).matchingSemantics(.unicodeScalar)
    }

    /// Oniguruma's word class: letters and other alphabetic characters, marks, decimal digits and
    /// connector punctuation. Swift's `\w` leaves out marks, its `\d` takes in every digit-like
    /// number (`²`, `①`).
    private static let word = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}"#
    /// Outside a bracketed class Oniguruma's `\w` also takes Latin-1's superscript digits and fractions.
    private static let latin1Numbers = #"\u{B2}\u{B3}\u{B9}\u{BC}-\u{BE}"#

    /// `pattern` with `\w`, `\W` and `\d` spelled out as Oniguruma reads them.
    static func oniguruma(_ pattern: String) -> String {
        var output = String.UnicodeScalarView()
        var classDepth = 0
        var scalars = pattern.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\", let escaped = scalars.next() else {
                if scalar == "[" { classDepth += 1 }
                if scalar == "]" && classDepth > 0 { classDepth -= 1 }
                output.append(scalar)
                continue
            }
            switch escaped {
            case "w": output.append(contentsOf: (classDepth > 0 ? word : "[\(word)\(latin1Numbers)]").unicodeScalars)
            // Inside a class, a nested class: Swift reads `[a[^b]]` as a union.
            case "W": output.append(contentsOf: (classDepth > 0 ? "[^\(word)]" : "[^\(word)\(latin1Numbers)]").unicodeScalars)
            case "d": output.append(contentsOf: #"\p{Nd}"#.unicodeScalars)
            default: output.append(contentsOf: [scalar, escaped])
            }
        }
        return String(output)
    }

    func segments(of text: [Unicode.Scalar]) -> [PatternSegment] {
        let string = String(scalars: text)
        let scalars = string.unicodeScalars
        var matches: [Range<Int>] = []
        var index = string.startIndex, offset = 0
        for match in string.matches(of: regex) {
            let start = offset + scalars.distance(from: index, to: match.range.lowerBound)
            let end = start + scalars.distance(from: match.range.lowerBound, to: match.range.upperBound)
            matches.append(start..<end)
            (index, offset) = (match.range.upperBound, end)
        }
        return Self.segments(around: matches, count: text.count)
    }
}

/// `tokenizers`' `Whitespace` pattern `\w+|[^\w\s]+`, matched by hand: runs of word characters
/// and runs of other characters that are not whitespace.
struct WordRunsPattern: TextPattern {
    func segments(of text: [Unicode.Scalar]) -> [PatternSegment] {
        var matches: [Range<Int>] = []
        var position = 0
        while position < text.count {
            guard !text[position].properties.isWhitespace else {
                position += 1
                continue
            }
            let isWord = text[position].isWordCharacter
            var end = position + 1
            while end < text.count && text[end].isWordCharacter == isWord && (isWord || !text[end].properties.isWhitespace) {
                end += 1
            }
            matches.append(position..<end)
            position = end
        }
        return Self.segments(around: matches, count: text.count)
    }
}

/// `base` with matches and stretches swapped (`Split`'s `invert`).
struct InvertedPattern: TextPattern {
    let base: any TextPattern

    func segments(of text: [Unicode.Scalar]) -> [PatternSegment] {
        base.segments(of: text).map { PatternSegment(range: $0.range, isMatch: !$0.isMatch) }
    }
}
