import Foundation

extension ByteLevelBPETokenizer {
    /// Loads a tokenizer from a Hugging Face `tokenizer.json` of the RoBERTa kind: no
    /// normalizer, a `ByteLevel` pre-tokenizer (`add_prefix_space`, `use_regex`), a `BPE` model
    /// (`vocab`, `merges` as pairs or as "a b" strings, `unk_token`, `fuse_unk`,
    /// `continuing_subword_prefix`, `end_of_word_suffix`, `ignore_merges`), a `RobertaProcessing`
    /// post-processor (its `cls` and `sep`), a `ByteLevel` decoder or none, and `added_tokens`.
    /// The padding token is `<pad>`, or the file's `padding.pad_token`.
    ///
    /// - Throws: ``TextFileError`` naming the file: missing, not valid JSON, keys missing or of
    ///   the wrong type, a component this tokenizer does not implement (`unsupported: normalizer
    ///   Precompiled (only none)`), BPE dropout or byte fallback, a merge whose tokens are not in
    ///   the vocabulary, or no padding or unknown token in the vocabulary.
    public init(tokenizerJSONFile file: URL) throws(TextFileError) {
        let json = try JSONFile(file)
        try Self.checkComponent("normalizer", of: json, supported: [nil], named: "none")
        try Self.checkComponent("pre_tokenizer", of: json, supported: ["ByteLevel"], named: "ByteLevel")
        try Self.checkComponent("post_processor", of: json, supported: ["RobertaProcessing"], named: "RobertaProcessing")
        try Self.checkComponent("decoder", of: json, supported: [nil, "ByteLevel"], named: "ByteLevel")
        if let type = try json.value("model.type", as: String.self, expected: "a string"), type != "BPE" {
            throw TextFileError(file: file, .unsupported("model type \(type) (only BPE)"))
        }
        if let dropout = try json.value("model.dropout", as: Double.self, expected: "a number or null") {
            throw TextFileError(file: file, .unsupported("model.dropout \(dropout) (BPE dropout; only null)"))
        }
        if try json.value("model.byte_fallback", as: Bool.self, expected: "a boolean") == true {
            throw TextFileError(file: file, .unsupported("model.byte_fallback true (only false)"))
        }

        let tokens = try Vocabulary.tokens(inTokenizerJSON: json)
        guard !tokens.isEmpty else { throw TextFileError(file: file, .emptyVocabulary) }
        let vocabulary = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
        let prefix = try json.value("model.continuing_subword_prefix", as: String.self, expected: "a string") ?? ""
        var unknown: Int?
        if let token = try json.value("model.unk_token", as: String.self, expected: "a string") {
            guard let id = vocabulary[token] else { throw TextFileError(file: file, .missingSpecialToken(token)) }
            unknown = id
        }
        let model = BPEModel(
            vocabulary: vocabulary,
            merges: try Self.merges(in: json, vocabulary: vocabulary, prefix: prefix),
            unknown: unknown,
            fuseUnknown: try json.value("model.fuse_unk", as: Bool.self, expected: "a boolean") ?? false,
            continuingSubwordPrefix: prefix,
            endOfWordSuffix: try json.value("model.end_of_word_suffix", as: String.self, expected: "a string") ?? "",
            ignoreMerges: try json.value("model.ignore_merges", as: Bool.self, expected: "a boolean") ?? false)
        // `tokenizers`' ByteLevel defaults for keys the file leaves out.
        let preTokenizer = ByteLevelPreTokenizer(
            addPrefixSpace: try json.value("pre_tokenizer.add_prefix_space", as: Bool.self, expected: "a boolean") ?? true,
            useRegex: try json.value("pre_tokenizer.use_regex", as: Bool.self, expected: "a boolean") ?? true)
        try self.init(
            model: model, modelTokens: tokens, preTokenizer: preTokenizer,
            addedTokens: AddedTokens(try Self.addedTokens(in: json)),
            classification: try Self.tokenID("post_processor.cls", in: json),
            separator: try Self.tokenID("post_processor.sep", in: json),
            paddingToken: try json.value("padding.pad_token", as: String.self, expected: "a string") ?? "<pad>",
            file: file, source: Data(try TextFile.bytes(of: file)))
    }

    /// Throws unless the type of the component at `key` is in `supported` (`nil`: absent or null);
    /// `named` says what is supported in the message.
    private static func checkComponent(
        _ key: String, of json: JSONFile, supported: Set<String?>, named: String
    ) throws(TextFileError) {
        var type: String?
        if try json.value(key, as: [String: Any].self, expected: "an object or null") != nil {
            type = try json.required("\(key).type", as: String.self, expected: "a string")
        }
        guard supported.contains(type) else {
            throw TextFileError(file: json.file, .unsupported("\(key) \(type ?? "none") (only \(named))"))
        }
    }

    /// The merges in rank order, keyed by the ids of their two tokens. A pair listed twice keeps
    /// its last rank, as `tokenizers`' merge map does.
    private static func merges(
        in json: JSONFile, vocabulary: [String: Int], prefix: String
    ) throws(TextFileError) -> [BPEModel.Pair: BPEModel.Merge] {
        let list = try json.required("model.merges", as: [Any].self, expected: "an array of merges")
        var merges: [BPEModel.Pair: BPEModel.Merge] = [:]
        merges.reserveCapacity(list.count)
        for (rank, entry) in list.enumerated() {
            let parts: [String]
            if let pair = entry as? [Any], pair.count == 2, let left = pair[0] as? String, let right = pair[1] as? String {
                parts = [left, right]
            } else if let line = entry as? String,
                      case let split = line.split(separator: " ", omittingEmptySubsequences: false), split.count == 2 {
                parts = split.map(String.init)
            } else {
                throw TextFileError(file: json.file, .wrongType(path: "model.merges[\(rank)]", expected: "a pair of tokens"))
            }
            // The right token loses its continuation prefix when glued on.
            let merged = parts[0] + String(decoding: Array(parts[1].utf8.dropFirst(prefix.utf8.count)), as: UTF8.self)
            var ids: [Int] = []
            for token in parts + [merged] {
                guard let id = vocabulary[token] else {
                    throw TextFileError(file: json.file, .invalidVocabulary(
                        "merge \(rank) (\(parts[0]) \(parts[1])) uses \(token), which is not in model.vocab"))
                }
                ids.append(id)
            }
            merges[BPEModel.Pair(left: ids[0], right: ids[1])] = BPEModel.Merge(rank: rank, id: ids[2])
        }
        return merges
    }

    /// The entries of `added_tokens`; flags the file leaves out take `tokenizers`' defaults.
    private static func addedTokens(in json: JSONFile) throws(TextFileError) -> [AddedTokens.Token] {
        guard let list = try json.value("added_tokens", as: [Any].self, expected: "an array of tokens") else { return [] }
        var tokens: [AddedTokens.Token] = []
        for (index, entry) in list.enumerated() {
            let path = "added_tokens[\(index)]"
            guard let object = entry as? [String: Any] else {
                throw TextFileError(file: json.file, .wrongType(path: path, expected: "an object"))
            }
            func field<T>(_ key: String, as type: T.Type, expected: String) throws(TextFileError) -> T? {
                guard let value = object[key], !(value is NSNull) else { return nil }
                guard let typed = value as? T, JSONFile.isBoolean(value) == (T.self == Bool.self) else {
                    throw TextFileError(file: json.file, .wrongType(path: "\(path).\(key)", expected: expected))
                }
                return typed
            }
            guard let id = try field("id", as: Int.self, expected: "a non-negative integer"), id >= 0 else {
                throw TextFileError(file: json.file, .wrongType(path: "\(path).id", expected: "a non-negative integer"))
            }
            guard let content = try field("content", as: String.self, expected: "a string") else {
                throw TextFileError(file: json.file, .missingKey("\(path).content"))
            }
            let special = try field("special", as: Bool.self, expected: "a boolean") ?? false
            tokens.append(AddedTokens.Token(
                content: Array(content.unicodeScalars), id: id,
                singleWord: try field("single_word", as: Bool.self, expected: "a boolean") ?? false,
                stripsLeft: try field("lstrip", as: Bool.self, expected: "a boolean") ?? false,
                stripsRight: try field("rstrip", as: Bool.self, expected: "a boolean") ?? false,
                normalized: try field("normalized", as: Bool.self, expected: "a boolean") ?? !special,
                special: special))
        }
        return tokens
    }

    /// The id of a `[token, id]` pair such as RobertaProcessing's `cls`.
    private static func tokenID(_ path: String, in json: JSONFile) throws(TextFileError) -> Int {
        let pair = try json.required(path, as: [Any].self, expected: "a [token, id] pair")
        guard pair.count == 2, pair[0] is String, !JSONFile.isBoolean(pair[1]), let id = pair[1] as? Int, id >= 0 else {
            throw TextFileError(file: json.file, .wrongType(path: path, expected: "a [token, id] pair"))
        }
        return id
    }
}
