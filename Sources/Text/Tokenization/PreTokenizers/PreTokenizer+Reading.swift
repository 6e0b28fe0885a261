extension JSONFile.Object {
    /// The pre-tokenizer this object of a `tokenizer.json` describes.
    func preTokenizer() throws(TextFileError) -> any PreTokenizer {
        let type = try componentType()
        switch type {
        case "Sequence":
            return PreTokenizerSequence(preTokenizers: try objects("pretokenizers").map { object throws(TextFileError) in try object.preTokenizer() })
        case "ByteLevel":
            // `tokenizers`' defaults for keys the file leaves out.
            return ByteLevelPreTokenizer(
                addPrefixSpace: try value("add_prefix_space", as: Bool.self, expected: "a boolean") ?? true,
                useRegex: try value("use_regex", as: Bool.self, expected: "a boolean") ?? true)
        case "Metaspace":
            return try metaspace()
        case "WhitespaceSplit":
            return WordPreTokenizer.whitespaceSplit
        case "Whitespace":
            return SplitPreTokenizer.whitespace
        case "BertPreTokenizer":
            return WordPreTokenizer.bert
        case "Punctuation":
            return SplitPreTokenizer.punctuation(try behavior() ?? .isolated)
        case "Digits":
            return SplitPreTokenizer.digits(individually: try value("individual_digits", as: Bool.self, expected: "a boolean") ?? false)
        case "Split":
            guard let behavior = try behavior() else { throw error(.missingKey("\(path).behavior")) }
            let pattern = try pattern()
            let inverted = try value("invert", as: Bool.self, expected: "a boolean") ?? false
            return SplitPreTokenizer(pattern: inverted ? InvertedPattern(base: pattern) : pattern, behavior: behavior)
        default:
            throw unsupported("pre_tokenizer", type)
        }
    }

    /// A `Metaspace`; files written before `prepend_scheme` existed say `add_prefix_space`.
    private func metaspace() throws(TextFileError) -> MetaspacePreTokenizer {
        let replacement = try value("replacement", as: String.self, expected: "one character") ?? "▁"
        guard replacement.unicodeScalars.count == 1, let scalar = replacement.unicodeScalars.first else {
            throw error(.wrongType(path: "\(path).replacement", expected: "one character"))
        }
        var scheme = MetaspacePreTokenizer.PrependScheme.always
        if let name = try value("prepend_scheme", as: String.self, expected: "always, first or never") {
            guard let named = MetaspacePreTokenizer.PrependScheme(rawValue: name) else {
                throw error(.wrongType(path: "\(path).prepend_scheme", expected: "always, first or never"))
            }
            scheme = named
        } else if try value("add_prefix_space", as: Bool.self, expected: "a boolean") == false {
            scheme = .never
        }
        return MetaspacePreTokenizer(
            replacement: scalar, prependScheme: scheme, splits: try value("split", as: Bool.self, expected: "a boolean") ?? true)
    }

    /// The `behavior` of a split, if given.
    private func behavior() throws(TextFileError) -> SplitBehavior? {
        let names = SplitBehavior.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = try value("behavior", as: String.self, expected: "one of \(names)") else { return nil }
        guard let behavior = SplitBehavior(rawValue: name) else {
            throw error(.wrongType(path: "\(path).behavior", expected: "one of \(names)"))
        }
        return behavior
    }
}
