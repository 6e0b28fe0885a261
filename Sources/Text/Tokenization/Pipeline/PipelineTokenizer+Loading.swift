import Foundation

extension PipelineTokenizer {
    /// Loads the tokenizer a Hugging Face `tokenizer.json` describes: its `normalizer`,
    /// `pre_tokenizer`, `model`, `post_processor` and `added_tokens` (the `decoder` is not read;
    /// the file's `truncation` is not either, as transformers sets it per call).
    ///
    /// The padding token is the file's `padding.pad_id`, else the `pad_token` of `configFile`
    /// (transformers' `tokenizer_config.json`), else `<pad>` or `[PAD]`. ``save(to:maxLength:)``
    /// writes both files back.
    ///
    /// - Throws: ``TextFileError`` naming the file: missing, not valid JSON, keys missing or of the
    ///   wrong type, a component this library does not implement (`unsupported: normalizer Foo`),
    ///   BPE dropout, a merge whose tokens are not in the vocabulary, or no padding token.
    public init(tokenizerJSONFile file: URL, configFile: URL? = nil) throws(TextFileError) {
        try self.init(json: JSONFile(file), config: configFile.map { url throws(TextFileError) in try JSONFile(url) })
    }

    /// Loads the tokenizer of a parsed `tokenizer.json` and `tokenizer_config.json`.
    init(json: JSONFile, config: JSONFile?) throws(TextFileError) {
        let file = json.file
        guard let modelObject = try json.object("model") else { throw TextFileError(file: file, .missingKey("model")) }
        let model = try modelObject.model()
        let addedTokens = try Self.addedTokens(in: json, model: model)
        func id(of token: String) -> Int? {
            addedTokens.last { $0.content.elementsEqual(token.unicodeScalars) }?.id ?? model.id(of: token)
        }
        var padding = try json.value("padding.pad_id", as: Int.self, expected: "an integer")
        if padding == nil, let config, let name = try Self.tokenName("pad_token", in: config) {
            guard let named = id(of: name) else { throw TextFileError(file: config.file, .missingSpecialToken(name)) }
            padding = named
        }
        guard let padding = padding ?? id(of: "<pad>") ?? id(of: "[PAD]") else {
            throw TextFileError(file: file, .missingSpecialToken("padding"))
        }
        let postProcessor = try json.object("post_processor")?.postProcessor()
        // Ids outside the vocabulary would index past a model's embeddings.
        let specials = (Self.probe(postProcessor, pair: false) + Self.probe(postProcessor, pair: true)).filter { $0 >= 0 }
        for id in [padding] + specials where id < 0 || model.token(of: id) == nil && !addedTokens.contains(where: { $0.id == id }) {
            throw TextFileError(file: file, .invalidVocabulary("the padding or post-processor id \(id) is no token"))
        }
        var configBytes: Data?
        if let config { configBytes = Data(try TextFile.bytes(of: config.file)) }
        self.init(
            normalizer: try json.object("normalizer")?.normalizer(), preTokenizer: try json.object("pre_tokenizer")?.preTokenizer(),
            model: model, postProcessor: postProcessor, addedTokens: addedTokens,
            padding: padding, source: Source(tokenizerJSON: Data(try TextFile.bytes(of: file)), config: configBytes))
    }

    /// Loads the `tokenizer.json` of a model folder, with its `tokenizer_config.json` when there
    /// is one (see ``init(tokenizerJSONFile:configFile:)``).
    public init(directory: URL) throws(TextFileError) {
        let config = directory.appendingPathComponent("tokenizer_config.json")
        try self.init(
            tokenizerJSONFile: directory.appendingPathComponent("tokenizer.json"),
            configFile: FileManager.default.fileExists(atPath: config.path) ? config : nil)
    }

    /// The entries of `added_tokens` but empty ones; flags the file leaves out take `tokenizers`' defaults. Ids
    /// are given as `tokenizers` gives them: the id of a spelling already added or in the model's
    /// vocabulary, else the next one after the vocabulary and the tokens added so far (the `id`
    /// the file writes is only checked, as `tokenizers` only warns when it differs).
    static func addedTokens(in json: JSONFile, model: any TokenizerModel) throws(TextFileError) -> [AddedTokens.Token] {
        guard try json.value("added_tokens", as: [Any].self, expected: "an array of tokens") != nil else { return [] }
        var ids: [ExactString: Int] = [:]
        var tokens: [AddedTokens.Token] = []
        for token in try json.topLevel.objects("added_tokens") {
            guard try token.required("id", as: Int.self, expected: "a non-negative integer") >= 0 else {
                throw token.error(.wrongType(path: token.path(of: "id"), expected: "a non-negative integer"))
            }
            let content = try token.required("content", as: String.self, expected: "a string")
            // `tokenizers` skips empty tokens before giving ids.
            guard !content.isEmpty else { continue }
            let id = ids[exactly: content] ?? model.id(of: content)
                ?? ids.values.max().map { $0 >= model.vocabularySize ? $0 + 1 : model.vocabularySize } ?? model.vocabularySize
            ids[ExactString(content)] = id
            let special = try token.value("special", as: Bool.self, expected: "a boolean") ?? false
            tokens.append(AddedTokens.Token(
                content: Array(content.unicodeScalars), id: id,
                singleWord: try token.value("single_word", as: Bool.self, expected: "a boolean") ?? false,
                stripsLeft: try token.value("lstrip", as: Bool.self, expected: "a boolean") ?? false,
                stripsRight: try token.value("rstrip", as: Bool.self, expected: "a boolean") ?? false,
                normalized: try token.value("normalized", as: Bool.self, expected: "a boolean") ?? !special,
                special: special))
        }
        return tokens
    }

    /// A special token of a `tokenizer_config.json`, written as a string or, by older
    /// transformers, as an object with its `content`.
    private static func tokenName(_ key: String, in config: JSONFile) throws(TextFileError) -> String? {
        if config.root[key] is [String: Any], let object = try config.topLevel.object(key) {
            return try object.required("content", as: String.self, expected: "a string")
        }
        return try config.value(key, as: String.self, expected: "a string or an object with its content")
    }
}

extension JSONFile.Object {
    /// The component's `type`.
    func componentType() throws(TextFileError) -> String {
        try required("type", as: String.self, expected: "a string")
    }

    /// The error for a component this library does not implement: `normalizer Foo`, and where
    /// it is when it is inside another.
    func unsupported(_ stage: String, _ type: String) -> TextFileError {
        error(.unsupported(path == stage ? "\(stage) \(type)" : "\(stage) \(type) (at \(path))"))
    }

    /// The `pattern` of a `Split` or `Replace`: `{"String": literal}` or `{"Regex": pattern}`.
    func pattern() throws(TextFileError) -> any TextPattern {
        guard let pattern = try object("pattern") else { throw error(.missingKey("\(path).pattern")) }
        if let literal = try pattern.value("String", as: String.self, expected: "a string") {
            return LiteralPattern(literal: Array(literal.unicodeScalars))
        }
        guard let regex = try pattern.value("Regex", as: String.self, expected: "a string") else {
            throw error(.wrongType(path: pattern.path, expected: #"{"String": ...} or {"Regex": ...}"#))
        }
        do {
            return try RegexPattern(regex)
        } catch {
            let reason = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            throw self.error(.unsupported("\(pattern.path).Regex \(regex) (\(reason))"))
        }
    }
}
