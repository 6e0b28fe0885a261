/// `Unigram`: sentencepiece's unigram language model. Of all the ways to cut a piece into
/// vocabulary tokens, the one whose scores (log probabilities) sum highest wins, found by Viterbi
/// over the piece's UTF-8 bytes exactly as `tokenizers`' `encode_optimized` does: ties keep the
/// first candidate found (shorter tokens first); a character that no one-character token spells
/// gets the unknown token with the lowest score less 10 (sentencepiece's `kUnkPenalty`); and
/// consecutive unknown tokens are fused into one.
struct UnigramModel: TokenizerModel {
    /// The spelling and score of each id.
    let pieces: [(token: String, score: Double)]
    let unknown: Int?
    /// Whether text the vocabulary cannot spell is spelled by its bytes' `<0xXX>` tokens when
    /// they exist, rather than by the unknown token.
    let byteFallback: Bool
    private let ids: [ExactString: Int]
    private let trie: VocabularyTrie
    private let unknownScore: Double

    init(pieces: [(token: String, score: Double)], unknown: Int?, byteFallback: Bool) {
        self.pieces = pieces
        self.unknown = unknown
        self.byteFallback = byteFallback
        ids = Dictionary(pieces.enumerated().map { (ExactString($1.token), $0) }) { $1 }
        trie = VocabularyTrie(tokens: pieces.map(\.token))
        unknownScore = (pieces.map(\.score).min() ?? 0) - 10
    }

    var vocabularySize: Int { pieces.count }
    var unknownID: Int? { unknown }
    func id(of token: String) -> Int? { ids[exactly: token] }
    func token(of id: Int) -> String? { pieces.indices.contains(id) ? pieces[id].token : nil }

    /// The best path's last token ending at a byte position.
    private struct Node {
        var id = 0
        var score = 0.0
        var start: Int?
    }

    /// Without an unknown token, characters the vocabulary cannot spell are dropped (`tokenizers`
    /// fails on them).
    func appendIDs(of piece: [Unicode.Scalar], to ids: inout [Int]) {
        var bytes: [UInt8] = []
        for scalar in piece { UTF8.encode(scalar) { bytes.append($0) } }
        let unknownMark = unknown ?? -1
        var best = [Node](repeating: Node(), count: bytes.count + 1)
        var start = 0
        while start < bytes.count {
            let scoreSoFar = best[start].score
            let characterLength = Self.utf8Length(leadingByte: bytes[start])
            var spelledAlone = false
            trie.forEachToken(in: bytes, at: start) { end, id in
                let score = pieces[id].score + scoreSoFar
                if best[end].start == nil || score > best[end].score { best[end] = Node(id: id, score: score, start: start) }
                if end - start == characterLength { spelledAlone = true }
            }
            let end = min(start + characterLength, bytes.count)
            if !spelledAlone && (best[end].start == nil || unknownScore + scoreSoFar > best[end].score) {
                best[end] = Node(id: unknownMark, score: unknownScore + scoreSoFar, start: start)
            }
            start = end
        }
        // Back from the end: each token's text, unknown ones fused with their unknown neighbours.
        var spans: [Range<Int>] = []
        var end = bytes.count
        while end > 0, let start = best[end].start {
            if best[end].id == unknownMark, let last = spans.last, best[last.upperBound].id == unknownMark {
                spans[spans.count - 1] = start..<last.upperBound
            } else {
                spans.append(start..<end)
            }
            end = start
        }
        for span in spans.reversed() {
            let text = String(decoding: bytes[span], as: UTF8.self)
            if let id = self.ids[exactly: text] {
                ids.append(id)
            } else if byteFallback, let bytes = byteFallbackIDs(text) {
                ids.append(contentsOf: bytes)
            } else if let unknown {
                ids.append(unknown)
            }
        }
    }

    /// The length of the UTF-8 sequence a leading byte starts (1 for a stray continuation byte,
    /// which valid text never has).
    private static func utf8Length(leadingByte byte: UInt8) -> Int {
        switch byte {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
