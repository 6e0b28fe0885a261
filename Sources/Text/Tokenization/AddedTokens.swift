/// The `added_tokens` of a `tokenizer.json` (special tokens such as `<s>` and `<mask>`, and any
/// tokens added after training), found in the text before pre-tokenization as `tokenizers`'
/// `AddedVocabulary` finds them: leftmost-longest, tokens with `normalized: false` in the raw
/// text first, then the others, normalised themselves, in the normalised text between.
struct AddedTokens: Sendable {
    struct Token: Sendable {
        var content: [Unicode.Scalar]
        let id: Int
        /// Only matched where no word character (`\w`) touches it on either side.
        let singleWord: Bool
        /// Takes the whitespace on its left (`lstrip`) or right (`rstrip`) with it.
        let stripsLeft: Bool
        let stripsRight: Bool
        /// Matched in the normalized text rather than the raw text.
        let normalized: Bool
        /// A special token (`<s>`, `[CLS]`), which decoding text can leave out.
        let special: Bool
    }

    /// A part of the text: text still to tokenize (scalar offsets), or an added token.
    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int)
    }

    let tokens: [Token]
    private let raw: Matcher
    private let normalized: Matcher

    /// Empty contents are ignored, as `tokenizers` ignores them; `normalizer` rewrites the
    /// contents of the tokens matched in normalised text.
    init(_ tokens: [Token], normalizer: (any Normalizer)?) {
        self.tokens = tokens.filter { !$0.content.isEmpty }
        raw = Matcher(self.tokens.filter { !$0.normalized })
        normalized = Matcher(self.tokens.filter(\.normalized).compactMap { token in
            guard let normalizer else { return token }
            var token = token
            token.content = Array(normalizer.normalize(String(scalars: token.content)).unicodeScalars)
            return token.content.isEmpty ? nil : token
        })
    }

    /// The raw `text` cut around the tokens matched before normalisation.
    func rawSegments(of text: [Unicode.Scalar]) -> [Segment] {
        raw.segments(of: text, in: 0..<text.count)
    }

    /// Normalised `text` cut around the tokens matched after normalisation.
    func normalizedSegments(of text: [Unicode.Scalar]) -> [Segment] {
        normalized.segments(of: text, in: 0..<text.count)
    }

    /// The tokens of one kind, by first scalar, longest first (the longest match wins).
    private struct Matcher: Sendable {
        let byFirstScalar: [Unicode.Scalar: [Token]]

        init(_ tokens: [Token]) {
            byFirstScalar = Dictionary(grouping: tokens) { $0.content[0] }
                .mapValues { $0.sorted { $0.content.count > $1.content.count } }
        }

        /// `find_matches` of `tokenizers`: matches never overlap, the search going on after the
        /// raw end of each match, including one that `single_word` rejects.
        func segments(of text: [Unicode.Scalar], in range: Range<Int>) -> [Segment] {
            guard !byFirstScalar.isEmpty else { return range.isEmpty ? [] : [.text(range)] }
            var segments: [Segment] = []
            var textStart = range.lowerBound
            var position = range.lowerBound
            while position < range.upperBound {
                guard let token = longestMatch(in: text, at: position, before: range.upperBound) else {
                    position += 1
                    continue
                }
                var start = position, end = position + token.content.count
                position = end
                if token.singleWord
                    && (start > range.lowerBound && text[start - 1].isWordCharacter
                        || end < range.upperBound && text[end].isWordCharacter) {
                    continue
                }
                if token.stripsLeft {
                    while start > range.lowerBound && text[start - 1].properties.isWhitespace { start -= 1 }
                    start = max(start, textStart)
                }
                if token.stripsRight {
                    while end < range.upperBound && text[end].properties.isWhitespace { end += 1 }
                }
                if textStart < start { segments.append(.text(textStart..<start)) }
                segments.append(.token(token.id))
                textStart = end
            }
            if textStart < range.upperBound { segments.append(.text(textStart..<range.upperBound)) }
            return segments
        }

        private func longestMatch(in text: [Unicode.Scalar], at position: Int, before end: Int) -> Token? {
            byFirstScalar[text[position]]?.first { token in
                position + token.content.count <= end
                    && text[position..<position + token.content.count].elementsEqual(token.content)
            }
        }
    }
}
