import Foundation

extension WordPieceTokenizer {
    /// Loads a tokenizer from a `vocab.txt` (one token per line, id = 0-based line number).
    ///
    /// Without `options`, normalisation follows a `tokenizer_config.json` beside the vocabulary
    /// (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`) when there is one, and
    /// otherwise lower-cases when the vocabulary is uncased (no upper-case token).
    ///
    /// - Throws: ``TextFileError`` naming the file: missing, invalid UTF-8 (with the line), empty,
    ///   or without `[UNK]`, `[CLS]`, `[SEP]` or `[PAD]`.
    public init(vocabularyFile: URL, options: NormalizationOptions? = nil) throws(TextFileError) {
        let vocabulary = try Vocabulary(tokens: Vocabulary.tokens(inVocabTxt: vocabularyFile), file: vocabularyFile)
        let config = vocabularyFile.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        var resolved = NormalizationOptions(lowercase: vocabulary.isUncased)
        if let options {
            resolved = options
        } else {
            resolved = try Self.options(fromConfig: config, default: resolved)
        }
        try self.init(
            vocabulary: vocabulary, options: resolved, unknownToken: "[UNK]", continuationPrefix: "##",
            maxCharactersPerWord: 100, file: vocabularyFile)
    }

    /// Loads a tokenizer from a Hugging Face `tokenizer.json` alone: the vocabulary from
    /// `model.vocab`, normalisation from its `BertNormalizer` (lowercase, strip_accents,
    /// handle_chinese_chars, clean_text), and the model's `unk_token`,
    /// `continuing_subword_prefix` and `max_input_chars_per_word`.
    ///
    /// - Throws: ``TextFileError`` naming the file: missing, not valid JSON, without
    ///   `model.vocab`, values of the wrong type, a model other than WordPiece, or a vocabulary
    ///   without the special tokens.
    public init(tokenizerJSONFile file: URL) throws(TextFileError) {
        let json = try JSONFile(file)
        if let type = try json.value("model.type", as: String.self, expected: "a string"), type != "WordPiece" {
            throw TextFileError(file: file, .unsupported("model type \(type) (only WordPiece)"))
        }
        guard let model = try json.object("model") else { throw TextFileError(file: file, .missingKey("model.vocab")) }
        let vocabulary = try Vocabulary(tokens: Vocabulary.tokens(in: model), file: file)
        // Hugging Face's BertNormalizer defaults, used for keys the file leaves out.
        var options = NormalizationOptions(lowercase: vocabulary.isUncased)
        if try json.value("normalizer", as: [String: Any].self, expected: "an object") != nil {
            options.cleanText = try json.value("normalizer.clean_text", as: Bool.self, expected: "a boolean") ?? true
            options.handleChineseCharacters =
                try json.value("normalizer.handle_chinese_chars", as: Bool.self, expected: "a boolean") ?? true
            options.lowercase = try json.value("normalizer.lowercase", as: Bool.self, expected: "a boolean") ?? true
            options.stripAccents = try json.value("normalizer.strip_accents", as: Bool.self, expected: "a boolean or null")
        }
        try self.init(
            vocabulary: vocabulary, options: options,
            unknownToken: json.value("model.unk_token", as: String.self, expected: "a string") ?? "[UNK]",
            continuationPrefix: json.value("model.continuing_subword_prefix", as: String.self, expected: "a string") ?? "##",
            maxCharactersPerWord: json.value("model.max_input_chars_per_word", as: Int.self, expected: "an integer") ?? 100,
            file: file)
    }

    /// Loads the tokenizer of a Hugging Face model folder: from `vocab.txt` (with
    /// `tokenizer_config.json`) when present, otherwise from `tokenizer.json`.
    ///
    /// - Throws: ``TextFileError`` when the folder holds neither file, or as the loaders above.
    public init(directory: URL) throws(TextFileError) {
        let vocab = directory.appendingPathComponent("vocab.txt")
        let json = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: vocab.path) {
            try self.init(vocabularyFile: vocab)
        } else if FileManager.default.fileExists(atPath: json.path) {
            try self.init(tokenizerJSONFile: json)
        } else {
            throw TextFileError(file: directory, .noTokenizerFiles)
        }
    }

    /// Normalisation from a `tokenizer_config.json`, or `fallback` where the file or a key is
    /// absent.
    private static func options(
        fromConfig file: URL, default fallback: NormalizationOptions
    ) throws(TextFileError) -> NormalizationOptions {
        guard FileManager.default.fileExists(atPath: file.path) else { return fallback }
        let json = try JSONFile(file)
        var options = fallback
        options.lowercase = try json.value("do_lower_case", as: Bool.self, expected: "a boolean") ?? fallback.lowercase
        options.stripAccents = try json.value("strip_accents", as: Bool.self, expected: "a boolean or null")
        options.handleChineseCharacters =
            try json.value("tokenize_chinese_chars", as: Bool.self, expected: "a boolean") ?? fallback.handleChineseCharacters
        return options
    }
}
