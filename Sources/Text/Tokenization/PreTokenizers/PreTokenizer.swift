/// A piece of normalised text on its way to the model.
struct TextPiece: Sendable {
    var scalars: [Unicode.Scalar]
    /// Whether the piece starts where the input text starts (after no added token), which
    /// `Metaspace`'s `first` scheme asks; `tokenizers` reads it from the piece's offset in the
    /// original text, so a normalizer that removes leading characters is the one case read differently.
    var startsInput: Bool
}

/// The second stage of a ``PipelineTokenizer``: cuts each normalised piece into smaller ones (and
/// may rewrite them), as a `tokenizers` pre-tokenizer does. Empty pieces it returns are dropped.
protocol PreTokenizer: Sendable {
    func split(_ piece: TextPiece) -> [TextPiece]
}

extension PreTokenizer {
    /// The non-empty pieces of all `pieces`, in order.
    func split(_ pieces: [TextPiece]) -> [TextPiece] {
        pieces.flatMap { split($0) }.filter { !$0.scalars.isEmpty }
    }
}

/// `Sequence`: each pre-tokenizer in turn, over every piece the previous one made.
struct PreTokenizerSequence: PreTokenizer {
    let preTokenizers: [any PreTokenizer]

    func split(_ piece: TextPiece) -> [TextPiece] {
        preTokenizers.reduce([piece]) { $1.split($0) }
    }
}

/// What a split does with the matches of its pattern (`SplitDelimiterBehavior`).
enum SplitBehavior: String, CaseIterable {
    /// Matches are dropped.
    case removed = "Removed"
    /// Each match is a piece of its own.
    case isolated = "Isolated"
    /// Each match joins the piece before it.
    case mergedWithPrevious = "MergedWithPrevious"
    /// Each match joins the piece after it.
    case mergedWithNext = "MergedWithNext"
    /// Consecutive matches form one piece.
    case contiguous = "Contiguous"
}

extension TextPiece {
    /// The piece cut at the matches of `pattern`, as `tokenizers`' `NormalizedString::split`.
    func split(by pattern: any TextPattern, _ behavior: SplitBehavior) -> [TextPiece] {
        let segments = pattern.segments(of: scalars)
        var kept: [Range<Int>] = []
        switch behavior {
        case .removed:
            kept = segments.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            kept = segments.map(\.range)
        case .contiguous, .mergedWithPrevious:
            var previousWasMatch = false
            for segment in segments {
                let joins = behavior == .contiguous ? segment.isMatch == previousWasMatch : segment.isMatch && !previousWasMatch
                if joins, let last = kept.popLast() {
                    kept.append(last.lowerBound..<segment.range.upperBound)
                } else {
                    kept.append(segment.range)
                }
                previousWasMatch = segment.isMatch
            }
        case .mergedWithNext:
            var nextWasMatch = false
            for segment in segments.reversed() {
                if segment.isMatch && !nextWasMatch, let first = kept.popLast() {
                    kept.append(segment.range.lowerBound..<first.upperBound)
                } else {
                    kept.append(segment.range)
                }
                nextWasMatch = segment.isMatch
            }
            kept.reverse()
        }
        return kept.map { TextPiece(scalars: Array(scalars[$0]), startsInput: startsInput && $0.lowerBound == 0) }
    }
}

/// `Split`: cuts at the matches of a pattern (`invert`: at what lies between them).
struct SplitPreTokenizer: PreTokenizer {
    let pattern: any TextPattern
    let behavior: SplitBehavior

    func split(_ piece: TextPiece) -> [TextPiece] {
        piece.split(by: pattern, behavior)
    }
}

extension SplitPreTokenizer {
    /// `Whitespace`: runs of word characters and runs of other characters, whitespace dropped.
    static let whitespace = SplitPreTokenizer(pattern: InvertedPattern(base: WordRunsPattern()), behavior: .removed)

    /// `Punctuation`: BERT's punctuation characters, one piece each unless `behavior` says otherwise.
    static func punctuation(_ behavior: SplitBehavior) -> SplitPreTokenizer {
        SplitPreTokenizer(pattern: CharacterPattern { $0.isBertPunctuation }, behavior: behavior)
    }

    /// `Digits`: numbers isolated, each digit alone when `individually`.
    static func digits(individually: Bool) -> SplitPreTokenizer {
        SplitPreTokenizer(pattern: CharacterPattern { $0.isNumeric }, behavior: individually ? .isolated : .contiguous)
    }
}

/// `WhitespaceSplit` (pieces between whitespace) and `BertPreTokenizer` (the same, then each
/// punctuation character a piece of its own), in one pass over the scalars: what splitting at
/// whitespace (`Removed`) then at punctuation (`Isolated`) gives, without the pieces in between.
struct WordPreTokenizer: PreTokenizer {
    /// Whether each punctuation character (BERT's) is a piece of its own.
    let isolatesPunctuation: Bool

    static let whitespaceSplit = WordPreTokenizer(isolatesPunctuation: false)
    static let bert = WordPreTokenizer(isolatesPunctuation: true)

    func split(_ piece: TextPiece) -> [TextPiece] {
        let scalars = piece.scalars
        var pieces: [TextPiece] = []
        var start = 0
        func cut(at end: Int) {
            if start < end { pieces.append(TextPiece(scalars: Array(scalars[start..<end]), startsInput: piece.startsInput && start == 0)) }
        }
        for (index, scalar) in scalars.enumerated() {
            if scalar.isBertWhitespace {
                cut(at: index)
                start = index + 1
            } else if isolatesPunctuation && scalar.isBertPunctuation {
                cut(at: index)
                start = index
                cut(at: index + 1)
                start = index + 1
            }
        }
        cut(at: scalars.count)
        return pieces
    }
}
