import Foundation

/// `WordPiece`: each piece cut greedily into the longest vocabulary tokens, left to right,
/// continuation tokens carrying a prefix (`##`). A piece longer than `maxCharactersPerWord`
/// characters, or one that cannot be cut, becomes the unknown token as a whole.
struct WordPieceModel: TokenizerModel {
    let vocabulary: Vocabulary
    let unknown: Int
    /// Pieces with more characters than this become the unknown token.
    let maxCharactersPerWord: Int
    /// Trie node after the continuation prefix; `nil` when no token has it.
    private let continuationNode: VocabularyTrie.Node?

    /// `file` is named in the error when the vocabulary lacks `unknownToken`.
    init(vocabulary: Vocabulary, unknownToken: String, continuationPrefix: String, maxCharactersPerWord: Int, file: URL) throws(TextFileError) {
        self.vocabulary = vocabulary
        unknown = try vocabulary.specialID(unknownToken, file: file)
        self.maxCharactersPerWord = maxCharactersPerWord
        continuationNode = vocabulary.trie.node(after: continuationPrefix)
    }

    var vocabularySize: Int { vocabulary.tokens.count }
    var unknownID: Int? { unknown }
    func id(of token: String) -> Int? { vocabulary.ids[exactly: token] }
    func token(of id: Int) -> String? { vocabulary.tokens.indices.contains(id) ? vocabulary.tokens[id] : nil }

    func appendIDs(of piece: [Unicode.Scalar], to ids: inout [Int]) {
        guard piece.count <= maxCharactersPerWord else {
            ids.append(unknown)
            return
        }
        var word: [UInt8] = []
        word.reserveCapacity(piece.count)
        for scalar in piece { UTF8.encode(scalar) { word.append($0) } }
        let firstPiece = ids.count
        var start = 0
        while start < word.count {
            let node = start == 0 ? VocabularyTrie.root : continuationNode
            guard let node, let match = vocabulary.trie.longestMatch(in: word, at: start, from: node) else {
                ids.removeSubrange(firstPiece...)
                ids.append(unknown)
                return
            }
            ids.append(match.id)
            start = match.end
        }
    }
}
