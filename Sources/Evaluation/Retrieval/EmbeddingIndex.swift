import Tensors

/// Sentences with their L2-normalised embeddings, searchable by cosine similarity (brute force:
/// one matrix-vector product per query, exact, fast for corpora up to millions of rows on a CPU).
///
/// ```swift
/// let index = EmbeddingIndex(sentences: corpus, embeddings: encoder.encode(corpus))
/// for hit in index.search(encoder.encode(["a guitar player"]), k: 5)[0] { print(hit.score, hit.text) }
/// ```
public struct EmbeddingIndex {
    /// One search result.
    public struct Hit: Sendable, Equatable {
        public let text: String
        public let row: Int
        /// Cosine similarity with the query.
        public let score: Float
    }

    public let sentences: [String]
    /// `[sentences.count, dimensions]`, each row of unit length.
    public let embeddings: Tensor

    /// An index over `sentences` and their embeddings (normalised here).
    public init(sentences: [String], embeddings: Tensor) {
        ensure(embeddings.rank == 2 && embeddings.shape[0] == sentences.count,
               "EmbeddingIndex: \(sentences.count) sentences and embeddings of shape \(embeddings.shape)")
        self.sentences = sentences
        self.embeddings = withoutGradient { embeddings.l2Normalized() }
    }

    /// The `k` most similar sentences for each row of `queries` (`[q, dimensions]`), best first.
    public func search(_ queries: Tensor, k: Int) -> [[Hit]] {
        ensure(k > 0, "EmbeddingIndex.search: k must be positive, got \(k)")
        ensure(queries.rank == 2 && queries.shape[1] == embeddings.shape[1],
               "EmbeddingIndex.search: queries of shape \(queries.shape) for embeddings of width \(embeddings.shape[1])")
        let scores = withoutGradient { queries.l2Normalized().matmul(embeddings, transposeOther: true) }.scalars
        let n = sentences.count
        return (0..<queries.shape[0]).map { q in
            let row = scores[(q * n)..<((q + 1) * n)]
            return topIndices(row, min(k, n)).map {
                Hit(text: sentences[$0 - q * n], row: $0 - q * n, score: row[$0])
            }
        }
    }
}
