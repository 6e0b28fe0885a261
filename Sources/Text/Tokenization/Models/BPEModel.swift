import Synchronization

/// `BPE`: Hugging Face's byte-pair-encoding model applied to one pre-tokenized piece.
///
/// Each character of the piece starts as one symbol (after a byte-level pre-tokenizer, each
/// character stands for a byte); then, as long as some adjacent pair has a merge, the pair with
/// the lowest merge rank is merged, the leftmost on a tie. A priority queue keeps this near-linear
/// for long pieces, as in `tokenizers`.
struct BPEModel: TokenizerModel {
    struct Pair: Hashable, Sendable {
        let left: Int
        let right: Int
    }

    struct Merge: Sendable {
        /// Position in the merge list: lower merges first.
        let rank: Int
        /// The id of the merged token.
        let id: Int
    }

    /// The spelling of each id (index = id), and the id of each spelling.
    let tokens: [String]
    let vocabulary: [ExactString: Int]
    let merges: [Pair: Merge]
    /// Stands for a character outside the vocabulary; without it such characters are dropped.
    let unknown: Int?
    /// Whether consecutive unknown characters become one unknown token.
    let fuseUnknown: Bool
    /// Spelled before every symbol but a piece's first (empty for byte-level models).
    let continuingSubwordPrefix: String
    /// Spelled after a piece's last symbol (`</w>` for CLIP, empty for RoBERTa).
    let endOfWordSuffix: String
    /// Whether a piece that is itself in the vocabulary skips the merges.
    let ignoreMerges: Bool
    /// Whether a character outside the vocabulary is spelled by its bytes' `<0xXX>` tokens.
    let byteFallback: Bool
    private let cache = PieceCache()

    init(
        tokens: [String], vocabulary: [ExactString: Int], merges: [Pair: Merge], unknown: Int?, fuseUnknown: Bool,
        continuingSubwordPrefix: String, endOfWordSuffix: String, ignoreMerges: Bool, byteFallback: Bool
    ) {
        self.tokens = tokens
        self.vocabulary = vocabulary
        self.merges = merges
        self.unknown = unknown
        self.fuseUnknown = fuseUnknown
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.ignoreMerges = ignoreMerges
        self.byteFallback = byteFallback
    }

    var vocabularySize: Int { tokens.count }
    var unknownID: Int? { unknown }
    func id(of token: String) -> Int? { vocabulary[exactly: token] }
    func token(of id: Int) -> String? { tokens.indices.contains(id) ? tokens[id] : nil }

    func appendIDs(of piece: [Unicode.Scalar], to ids: inout [Int]) {
        let word = String(scalars: piece)
        if let cached = cache.ids(of: word) {
            ids.append(contentsOf: cached)
            return
        }
        let merged = merge(piece, word: word)
        cache.store(merged, for: word)
        ids.append(contentsOf: merged)
    }

    /// `tokenizers`' `merge_word`: symbols, then merges.
    private func merge(_ piece: [Unicode.Scalar], word: String) -> [Int] {
        if ignoreMerges, let id = vocabulary[exactly: word] { return [id] }
        var symbols: [Int] = []
        symbols.reserveCapacity(piece.count)
        // An unknown character waits for the next known one, so that unknowns can be fused.
        var unknownPending = false
        for (index, scalar) in piece.enumerated() {
            var spelling = String(scalar)
            if index > 0 { spelling = continuingSubwordPrefix + spelling }
            if index == piece.count - 1 { spelling += endOfWordSuffix }
            if let id = vocabulary[exactly: spelling] {
                if unknownPending, let unknown { symbols.append(unknown) }
                unknownPending = false
                symbols.append(id)
            } else if byteFallback, let bytes = byteFallbackIDs(spelling) {
                // As in `tokenizers`, a pending unknown is not flushed first: it follows these.
                symbols.append(contentsOf: bytes)
            } else if let unknown {
                if unknownPending && !fuseUnknown { symbols.append(unknown) }
                unknownPending = true
            }
        }
        if unknownPending, let unknown { symbols.append(unknown) }
        return mergeAll(symbols)
    }

    /// Merges `symbols` as `tokenizers`' `Word::merge_all` does: symbols form a linked list, and
    /// queued merges that no longer describe their position are skipped when they come up.
    private func mergeAll(_ symbols: [Int]) -> [Int] {
        guard symbols.count > 1 else { return symbols }
        var ids = symbols
        var previous = Array(-1..<(symbols.count - 1))
        var next = Array(1...symbols.count)
        next[symbols.count - 1] = -1
        var removed = [Bool](repeating: false, count: symbols.count)
        var queue = MergeQueue()
        for position in 0..<(symbols.count - 1) {
            if let merge = merges[Pair(left: ids[position], right: ids[position + 1])] {
                queue.push(.init(rank: merge.rank, position: position, id: merge.id))
            }
        }
        while let top = queue.pop() {
            let position = top.position
            guard !removed[position], next[position] >= 0 else { continue }
            let right = next[position]
            guard merges[Pair(left: ids[position], right: ids[right])]?.id == top.id else { continue }
            ids[position] = top.id
            removed[right] = true
            next[position] = next[right]
            if next[right] >= 0 { previous[next[right]] = position }
            if previous[position] >= 0, let merge = merges[Pair(left: ids[previous[position]], right: top.id)] {
                queue.push(.init(rank: merge.rank, position: previous[position], id: merge.id))
            }
            if next[position] >= 0, let merge = merges[Pair(left: top.id, right: ids[next[position]])] {
                queue.push(.init(rank: merge.rank, position: position, id: merge.id))
            }
        }
        return ids.indices.filter { !removed[$0] }.map { ids[$0] }
    }
}

/// A binary min-heap of candidate merges, lowest rank first, then leftmost position.
private struct MergeQueue {
    struct Entry {
        let rank: Int
        let position: Int
        let id: Int

        func precedes(_ other: Entry) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    private var heap: [Entry] = []

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < heap.count && heap[left].precedes(heap[first]) { first = left }
            if right < heap.count && heap[right].precedes(heap[first]) { first = right }
            guard first != parent else { break }
            heap.swapAt(parent, first)
            parent = first
        }
        return top
    }
}

/// The ids of pieces already merged, shared by copies of a tokenizer and safe across threads.
/// Like `tokenizers`' cache it stops growing when full rather than evicting, and skips long pieces.
private final class PieceCache: Sendable {
    private static let capacity = 10_000
    private static let longestPiece = 256
    private let entries = Mutex<[ExactString: [Int]]>([:])

    func ids(of piece: String) -> [Int]? {
        entries.withLock { $0[exactly: piece] }
    }

    func store(_ ids: [Int], for piece: String) {
        guard piece.utf8.count <= Self.longestPiece else { return }
        entries.withLock { entries in
            if entries.count < Self.capacity { entries[ExactString(piece)] = ids }
        }
    }
}
