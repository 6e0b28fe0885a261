import Foundation

extension JSONFile.Object {
    /// The normalizer this object of a `tokenizer.json` describes.
    func normalizer() throws(TextFileError) -> any Normalizer {
        let type = try componentType()
        switch type {
        case "Sequence":
            return NormalizerSequence(normalizers: try objects("normalizers").map { object throws(TextFileError) in try object.normalizer() })
        case "BertNormalizer":
            // `tokenizers`' defaults for keys the file leaves out.
            return BertNormalizer(options: NormalizationOptions(
                cleanText: try value("clean_text", as: Bool.self, expected: "a boolean") ?? true,
                handleChineseCharacters: try value("handle_chinese_chars", as: Bool.self, expected: "a boolean") ?? true,
                lowercase: try value("lowercase", as: Bool.self, expected: "a boolean") ?? true,
                stripAccents: try value("strip_accents", as: Bool.self, expected: "a boolean or null")))
        case "Lowercase":
            return LowercaseNormalizer()
        case "Strip":
            return StripNormalizer(
                left: try required("strip_left", as: Bool.self, expected: "a boolean"),
                right: try required("strip_right", as: Bool.self, expected: "a boolean"))
        case "StripAccents":
            return StripAccentsNormalizer()
        case "Prepend":
            return PrependNormalizer(prefix: try required("prepend", as: String.self, expected: "a string"))
        case "Replace":
            return ReplaceNormalizer(pattern: try pattern(), content: try required("content", as: String.self, expected: "a string"))
        case "Precompiled":
            let encoded = try required("precompiled_charsmap", as: String.self, expected: "a base64 string")
            guard let bytes = Data(base64Encoded: encoded), let normalizer = PrecompiledNormalizer(charsmap: Array(bytes)) else {
                throw error(.wrongType(path: "\(path).precompiled_charsmap", expected: "a sentencepiece character map in base64"))
            }
            return normalizer
        default:
            guard let form = UnicodeNormalizer.Form(rawValue: type) else { throw unsupported("normalizer", type) }
            return UnicodeNormalizer(form: form)
        }
    }
}
