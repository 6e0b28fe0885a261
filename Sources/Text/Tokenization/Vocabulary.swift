import Foundation

/// A WordPiece vocabulary: token spellings indexed by id, the reverse map, and the byte trie
/// WordPiece matches against.
struct Vocabulary: Sendable {
    /// The spelling of each id.
    let tokens: [String]
    /// The id of each spelling (the last one when a spelling repeats).
    let ids: [ExactString: Int]
    /// The spellings as a trie, for longest-match lookups.
    let trie: VocabularyTrie

    /// Builds a vocabulary from spellings ordered by id; `file` is named in errors.
    init(tokens: [String], file: URL) throws(TextFileError) {
        guard !tokens.isEmpty else { throw TextFileError(file: file, .emptyVocabulary) }
        self.tokens = tokens
        var ids: [ExactString: Int] = [:]
        ids.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() { ids[ExactString(token)] = id }
        self.ids = ids
        self.trie = VocabularyTrie(tokens: tokens)
    }

    /// The id of a special token, which must be present.
    func specialID(_ token: String, file: URL) throws(TextFileError) -> Int {
        guard let id = ids[exactly: token] else { throw TextFileError(file: file, .missingSpecialToken(token)) }
        return id
    }

    /// Whether the vocabulary belongs to an uncased model: no token other than bracketed
    /// specials (`[CLS]`, `[unused0]`) has an upper-case letter.
    var isUncased: Bool {
        !tokens.contains { token in
            !token.hasPrefix("[") && token.unicodeScalars.contains { $0.properties.changesWhenLowercased }
        }
    }
}

extension Vocabulary {
    /// Reads a `vocab.txt`: one token per line, the id being the 0-based line number.
    static func tokens(inVocabTxt file: URL) throws(TextFileError) -> [String] {
        try TextFile.lines(of: file).map(\.text)
    }

    /// Reads the `vocab` (token to id) of a `tokenizer.json` model into spellings ordered by id;
    /// the ids must be exactly 0..<count.
    static func tokens(in model: JSONFile.Object) throws(TextFileError) -> [String] {
        let vocab = try model.required("vocab", as: [String: Any].self, expected: "an object of token ids")
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (token, value) in vocab {
            guard !JSONFile.isBoolean(value), let id = value as? Int else {
                throw model.error(.wrongType(path: "\(model.path).vocab[\"\(token)\"]", expected: "an integer id"))
            }
            guard tokens.indices.contains(id) else {
                throw model.error(.invalidVocabulary("id \(id) of \"\(token)\" is outside 0..<\(vocab.count)"))
            }
            guard tokens[id] == nil else {
                throw model.error(.invalidVocabulary("id \(id) is used twice"))
            }
            tokens[id] = token
        }
        // Every slot is filled: count ids, all distinct, all in range.
        return tokens.compactMap { $0 }
    }
}
