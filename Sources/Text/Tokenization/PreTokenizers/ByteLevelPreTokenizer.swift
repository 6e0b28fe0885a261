/// `ByteLevel`: GPT-2's byte-level pre-tokenizer.
///
/// Text is cut with GPT-2's pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, matched over
/// Unicode scalars (not grapheme clusters: an accent or an emoji modifier is its own scalar), and
/// every piece is spelled byte by byte in GPT-2's printable byte alphabet (``ByteAlphabet``: a
/// space is `Ġ`), which is what the vocabulary is written in. The pattern is matched by hand: its
/// alternatives are simple enough, and Swift's `Regex` is slower.
struct ByteLevelPreTokenizer: PreTokenizer {
    /// Whether a space is put before a piece that does not start with one, so that the first word
    /// is spelled like the others (`Ġword`).
    let addPrefixSpace: Bool
    /// Whether GPT-2's pattern cuts the text; otherwise each piece stays whole.
    let useRegex: Bool

    func split(_ piece: TextPiece) -> [TextPiece] {
        var scalars = piece.scalars
        if addPrefixSpace && scalars.first != " " { scalars.insert(" ", at: 0) }
        guard useRegex else { return [TextPiece(scalars: Self.spelling(scalars[...]), startsInput: piece.startsInput)] }
        let kinds = scalars.map(Kind.init)
        var pieces: [TextPiece] = []
        var start = 0
        while start < scalars.count {
            let end = Self.endOfMatch(in: scalars, kinds: kinds, at: start)
            pieces.append(TextPiece(scalars: Self.spelling(scalars[start..<end]), startsInput: piece.startsInput && start == 0))
            start = end
        }
        return pieces
    }

    /// The classes the pattern tells apart: `\s` is Unicode's White_Space (as in Oniguruma, which
    /// Hugging Face uses), `\p{L}` and `\p{N}` the letter and number general categories.
    enum Kind: Equatable {
        case letter, number, whitespace, other

        init(_ scalar: Unicode.Scalar) {
            if scalar.properties.isWhitespace {
                self = .whitespace
                return
            }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
            case .decimalNumber, .letterNumber, .otherNumber: self = .number
            default: self = .other
            }
        }
    }

    /// The end of the pattern's match at `start`, trying the alternatives in the pattern's order.
    static func endOfMatch(in scalars: [Unicode.Scalar], kinds: [Kind], at start: Int) -> Int {
        let count = scalars.count
        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, as in GPT-2).
        if scalars[start] == "'", start + 1 < count {
            let first = scalars[start + 1]
            if first == "s" || first == "t" || first == "m" || first == "d" { return start + 2 }
            if start + 2 < count {
                let second = scalars[start + 2]
                if ((first == "r" || first == "v") && second == "e") || (first == "l" && second == "l") { return start + 3 }
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
        var body = start
        if scalars[start] == " ", start + 1 < count, kinds[start + 1] != .whitespace { body = start + 1 }
        var end = body + 1
        let kind = kinds[body]
        while end < count && kinds[end] == kind { end += 1 }
        guard kind == .whitespace else { return end }
        // `\s+(?!\S)` gives back the last whitespace before a word, which then takes it as its
        // optional space; a single whitespace before a word is `\s+`.
        return end < count && end - 1 > start ? end - 1 : end
    }

    /// The UTF-8 bytes of `scalars`, each as its ``ByteAlphabet`` character.
    private static func spelling(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var spelling: [Unicode.Scalar] = []
        spelling.reserveCapacity(scalars.count)
        for scalar in scalars { UTF8.encode(scalar) { spelling.append(ByteAlphabet.scalars[Int($0)]) } }
        return spelling
    }
}

/// GPT-2's `bytes_to_unicode`: a printable character for each byte, so that byte-level tokens
/// can be stored as text. Printable bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) stand for
/// themselves; the others, in byte order, for U+0100 onwards (the space becomes `Ġ`).
enum ByteAlphabet {
    /// The character of each byte.
    static let scalars: [Unicode.Scalar] = {
        var next: UInt32 = 0x100
        return (0...255).map { (byte: UInt32) in
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                return Unicode.Scalar(byte)!
            }
            next += 1
            return Unicode.Scalar(next - 1)!
        }
    }()

    /// The byte of each character.
    static let bytes: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: scalars.enumerated().map { ($1, UInt8($0)) })

    /// Appends the bytes `token` spells; a token with a character outside the alphabet (an added
    /// token such as `<mask>` is inside it, but one could be `日本`) contributes its own UTF-8, as
    /// Hugging Face's ByteLevel decoder does.
    static func appendBytes(of token: String, to output: inout [UInt8]) {
        let mapped = token.unicodeScalars.compactMap { bytes[$0] }
        if mapped.count == token.unicodeScalars.count {
            output.append(contentsOf: mapped)
        } else {
            output.append(contentsOf: token.utf8)
        }
    }
}
