/// The character classes of Hugging Face's `tokenizers` components: BERT's (`BertNormalizer`,
/// `BertPreTokenizer`, `Punctuation`), Rust's `char` tests (`Digits`) and its regex word class
/// (`Whitespace`, `single_word` added tokens).
extension Unicode.Scalar {
    /// White_Space characters; tab, newline and carriage return included although they are
    /// control characters.
    var isBertWhitespace: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20: true
        case 0..<0x80: value == 0x0B || value == 0x0C
        default: properties.isWhitespace
        }
    }

    /// "Other" characters (Cc, Cf, Cs, Co, Cn) that text cleaning removes, except the tab, newline
    /// and carriage return, which it turns into spaces.
    var isBertControl: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: return false
        case 0..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default:
            switch properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// Punctuation: every non-alphanumeric printable ASCII character (so `$`, `+`, `^`, `` ` ``
    /// count, although Unicode files them under symbols) and the Unicode P* categories.
    var isBertPunctuation: Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<0x80: return false
        default:
            switch properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default: return false
            }
        }
    }

    /// CJK Unified Ideographs (and extensions A-E) and compatibility ideographs, each of which
    /// BERT treats as a word of its own. Hangul, kana and CJK punctuation are not included. The
    /// ranges are `tokenizers`' (its extension E starts at U+2B920, Python BERT's at U+2B820).
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }

    /// Rust's `char::is_numeric`: the number categories (Nd, Nl, No).
    var isNumeric: Bool {
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// A combining mark (general category M: Mn, Mc or Me), what `StripAccents` removes.
    var isMark: Bool {
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// The `\w` of Rust's `regex` crate: alphabetic, marks, decimal digits, connector punctuation
    /// and join controls.
    var isWordCharacter: Bool {
        let properties = properties
        if properties.isAlphabetic || properties.isJoinControl || isMark { return true }
        switch properties.generalCategory {
        case .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}

extension String {
    /// The string of `scalars`.
    init(scalars: some Sequence<Unicode.Scalar>) {
        var view = UnicodeScalarView()
        view.append(contentsOf: scalars)
        self.init(view)
    }
}
