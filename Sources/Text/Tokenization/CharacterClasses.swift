/// The character classes BERT's basic tokenizer uses, as defined by Hugging Face's `tokenizers`
/// (`BertNormalizer`, `BertPreTokenizer`), which `BertTokenizerFast` runs.
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
    /// BERT treats as a word of its own. Hangul, kana and CJK punctuation are not included.
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }
}
