/// A byte trie over the vocabulary's UTF-8 spellings, so WordPiece finds the longest matching
/// piece in one walk instead of hashing every candidate substring (longest first), and Unigram
/// every piece that starts at a position.
struct VocabularyTrie: Sendable {
    /// A node of the trie; the root is node 0.
    typealias Node = Int32

    /// Children, keyed by `parent << 8 | byte`: one flat table keeps the trie compact.
    private var children: [Int: Node] = [:]
    /// The token id spelled by the path to each node, or -1.
    private var tokenAtNode: [Int32] = [-1]

    /// The root node.
    static let root: Node = 0

    /// Builds the trie; a spelling listed twice keeps its last id, as Hugging Face's vocab dict does.
    init(tokens: [String]) {
        for (id, token) in tokens.enumerated() {
            var node = Self.root
            for byte in token.utf8 {
                let key = Int(node) << 8 | Int(byte)
                if let child = children[key] {
                    node = child
                } else {
                    let child = Node(tokenAtNode.count)
                    tokenAtNode.append(-1)
                    children[key] = child
                    node = child
                }
            }
            tokenAtNode[Int(node)] = Int32(id)
        }
    }

    /// The node reached from `start` by `prefix`, if any token begins that way.
    func node(after prefix: String, from start: Node = root) -> Node? {
        var node = start
        for byte in prefix.utf8 {
            guard let child = children[Int(node) << 8 | Int(byte)] else { return nil }
            node = child
        }
        return node
    }

    /// The longest token that spells `word[start..<end]` for some `end`, read from node `from`
    /// (the root, or the node after `##` for continuation pieces). Matches must end on a
    /// character boundary so a piece never splits a multi-byte character.
    func longestMatch(in word: [UInt8], at start: Int, from: Node) -> (end: Int, id: Int)? {
        var best: (end: Int, id: Int)?
        forEachToken(in: word, at: start, from: from) { end, id in
            if end == word.count || word[end] & 0xC0 != 0x80 { best = (end, id) }
        }
        return best
    }

    /// Calls `body` with each token that spells `word[start..<end]`, shortest first, read from
    /// node `from`.
    func forEachToken(in word: [UInt8], at start: Int, from: Node = root, _ body: (_ end: Int, _ id: Int) -> Void) {
        var node = from
        var index = start
        while index < word.count, let child = children[Int(node) << 8 | Int(word[index])] {
            node = child
            index += 1
            let id = tokenAtNode[Int(node)]
            if id >= 0 { body(index, Int(id)) }
        }
    }
}
