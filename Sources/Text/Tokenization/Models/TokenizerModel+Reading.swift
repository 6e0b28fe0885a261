import Foundation

extension JSONFile.Object {
    /// The model this object of a `tokenizer.json` describes. Files written before models had a
    /// `type` are read as `tokenizers` reads them: BPE if there are merges, Unigram if the
    /// vocabulary is a list, WordPiece otherwise.
    func model() throws(TextFileError) -> any TokenizerModel {
        let type = try value("type", as: String.self, expected: "a string")
            ?? (fields["merges"] != nil ? "BPE" : fields["vocab"] is [Any] ? "Unigram" : "WordPiece")
        switch type {
        case "BPE": return try bpe()
        case "WordPiece": return try wordPiece()
        case "Unigram": return try unigram()
        default: throw unsupported("model", type)
        }
    }

    private func wordPiece() throws(TextFileError) -> WordPieceModel {
        // `tokenizers`' defaults for keys the file leaves out.
        try WordPieceModel(
            vocabulary: Vocabulary(tokens: Vocabulary.tokens(in: self), file: file),
            unknownToken: value("unk_token", as: String.self, expected: "a string") ?? "[UNK]",
            continuationPrefix: value("continuing_subword_prefix", as: String.self, expected: "a string") ?? "##",
            maxCharactersPerWord: value("max_input_chars_per_word", as: Int.self, expected: "an integer") ?? 100,
            file: file)
    }

    private func bpe() throws(TextFileError) -> BPEModel {
        if let dropout = try value("dropout", as: Double.self, expected: "a number or null") {
            throw error(.unsupported("\(path).dropout \(dropout) (BPE dropout; only null)"))
        }
        let tokens = try Vocabulary.tokens(in: self)
        guard !tokens.isEmpty else { throw error(.emptyVocabulary) }
        let vocabulary = Dictionary(tokens.enumerated().map { (ExactString($1), $0) }) { $1 }
        let prefix = try value("continuing_subword_prefix", as: String.self, expected: "a string") ?? ""
        var unknown: Int?
        if let token = try value("unk_token", as: String.self, expected: "a string") {
            guard let id = vocabulary[exactly: token] else { throw error(.missingSpecialToken(token)) }
            unknown = id
        }
        return BPEModel(
            tokens: tokens, vocabulary: vocabulary, merges: try merges(vocabulary: vocabulary, prefix: prefix), unknown: unknown,
            fuseUnknown: try value("fuse_unk", as: Bool.self, expected: "a boolean") ?? false,
            continuingSubwordPrefix: prefix,
            endOfWordSuffix: try value("end_of_word_suffix", as: String.self, expected: "a string") ?? "",
            ignoreMerges: try value("ignore_merges", as: Bool.self, expected: "a boolean") ?? false,
            byteFallback: try value("byte_fallback", as: Bool.self, expected: "a boolean") ?? false)
    }

    /// The merges in rank order, keyed by the ids of their two tokens, written as pairs or as
    /// "a b" strings. A pair listed twice keeps its last rank, as `tokenizers`' merge map does.
    private func merges(vocabulary: [ExactString: Int], prefix: String) throws(TextFileError) -> [BPEModel.Pair: BPEModel.Merge] {
        let list = try required("merges", as: [Any].self, expected: "an array of merges")
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
                throw error(.wrongType(path: "\(path).merges[\(rank)]", expected: "a pair of tokens"))
            }
            // The right token loses its continuation prefix when glued on.
            let merged = parts[0] + String(decoding: Array(parts[1].utf8.dropFirst(prefix.utf8.count)), as: UTF8.self)
            var ids: [Int] = []
            for token in parts + [merged] {
                guard let id = vocabulary[exactly: token] else {
                    throw error(.invalidVocabulary(
                        "merge \(rank) (\(parts[0]) \(parts[1])) uses \(token), which is not in \(path).vocab"))
                }
                ids.append(id)
            }
            merges[BPEModel.Pair(left: ids[0], right: ids[1])] = BPEModel.Merge(rank: rank, id: ids[2])
        }
        return merges
    }

    private func unigram() throws(TextFileError) -> UnigramModel {
        let list = try required("vocab", as: [Any].self, expected: "an array of [piece, score] pairs")
        guard !list.isEmpty else { throw error(.emptyVocabulary) }
        var pieces: [(token: String, score: Double)] = []
        pieces.reserveCapacity(list.count)
        for (index, entry) in list.enumerated() {
            guard let pair = entry as? [Any], pair.count == 2, let token = pair[0] as? String,
                  !JSONFile.isBoolean(pair[1]), let score = pair[1] as? Double else {
                throw error(.wrongType(path: "\(path).vocab[\(index)]", expected: "a [piece, score] pair"))
            }
            pieces.append((token, score))
        }
        let unknown = try value("unk_id", as: Int.self, expected: "an integer or null")
        if let unknown, !pieces.indices.contains(unknown) {
            throw error(.invalidVocabulary("\(path).unk_id \(unknown) is outside 0..<\(pieces.count)"))
        }
        return UnigramModel(
            pieces: pieces, unknown: unknown,
            byteFallback: try value("byte_fallback", as: Bool.self, expected: "a boolean") ?? false)
    }
}
