import CHNSW
import Tensors

/// An approximate nearest-neighbour index over L2-normalised embeddings: hnswlib's hierarchical
/// navigable small-world graph (Malkov & Yashunin 2018; Debian's libhnswlib-dev), searched by
/// inner product, so scores are cosines. For corpora too large to compare every query with every
/// row; on smaller ones ``EmbeddingIndex`` is exact and fast enough.
///
/// Built by inserting rows in order from one seed, so the same embeddings give the same graph.
///
/// ```swift
/// let index = try HNSWIndex(embeddings: corpus)
/// let hits = index.search(queries, k: 10)   // [[(row, score)]], best first
/// ```
public final class HNSWIndex {
    /// hnswlib's `M` (links per node), `ef_construction` and the search's default `ef` floor
    /// (its usual values).
    public static let connections = 16, constructionEf = 200, searchEf = 64

    public let rows: Int, dimensions: Int
    private let index: OpaquePointer

    /// Why an index could not be built.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Builds the graph over the rows of `embeddings` (`[n, d]`, normalised here).
    /// - Throws: ``Failure`` when hnswlib cannot allocate the graph.
    public init(embeddings: Tensor, seed: Int = 42) throws {
        ensure(embeddings.rank == 2 && embeddings.shape[0] > 0, "HNSWIndex: embeddings of shape \(embeddings.shape)")
        (rows, dimensions) = (embeddings.shape[0], embeddings.shape[1])
        guard let index = chnsw_create(dimensions, rows, Self.connections, Self.constructionEf, seed) else {
            throw Failure(description: "hnswlib could not allocate a graph of \(rows) vectors of \(dimensions) dimensions")
        }
        self.index = index
        let unit = withoutGradient { embeddings.l2Normalized() }.scalars
        try unit.withUnsafeBufferPointer { x in
            for r in 0..<rows where chnsw_add(index, x.baseAddress! + r * dimensions, r) != 0 {
                throw Failure(description: "hnswlib could not add row \(r)")
            }
        }
    }

    deinit { chnsw_free(index) }

    /// Bytes per vector in the graph's bottom layer (the float32 vector, its links, its label).
    public var bytesPerVector: Int { chnsw_bytes_per_vector(index) }

    /// For each row of `queries` (`[q, d]`, normalised here), up to `k` rows with their cosines,
    /// best first, searching with `max(k, ef)` candidates.
    public func search(_ queries: Tensor, k: Int, ef: Int = HNSWIndex.searchEf) -> [[(row: Int, score: Float)]] {
        ensure(k > 0, "HNSWIndex.search: k must be positive, got \(k)")
        ensure(queries.rank == 2 && queries.shape[1] == dimensions, "HNSWIndex.search: queries of shape \(queries.shape) for \(dimensions) dimensions")
        let unit = withoutGradient { queries.l2Normalized() }.scalars
        let depth = Swift.min(k, rows)
        var labels = [Int](repeating: 0, count: depth), distances = [Float](repeating: 0, count: depth)
        return unit.withUnsafeBufferPointer { x in
            (0..<queries.shape[0]).map { q in
                let found = labels.withUnsafeMutableBufferPointer { l in
                    distances.withUnsafeMutableBufferPointer { d in
                        chnsw_search(index, x.baseAddress! + q * dimensions, depth, Swift.max(depth, ef), l.baseAddress!, d.baseAddress!)
                    }
                }
                ensure(found >= 0, "HNSWIndex.search: hnswlib failed")
                // hnswlib's inner-product distance is 1 - cosine.
                return (0..<found).map { (row: labels[$0], score: 1 - distances[$0]) }
            }
        }
    }
}
