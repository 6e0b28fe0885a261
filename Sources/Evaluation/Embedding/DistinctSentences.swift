import Tensors

/// The distinct sentences of a dataset, each embedded once however often it appears (STS-B dev
/// repeats many sentences), and where each occurrence finds its row.
public struct DistinctSentences: Sendable {
    /// Each sentence once, in order of first appearance.
    public let sentences: [String]
    /// For each input occurrence, its row in ``sentences``.
    public let rows: [Int]

    /// Deduplicates `occurrences`.
    public init(_ occurrences: [String]) {
        var rowOf: [String: Int] = [:]
        var sentences: [String] = []
        rows = occurrences.map { sentence in
            if let row = rowOf[sentence] { return row }
            rowOf[sentence] = sentences.count
            sentences.append(sentence)
            return sentences.count - 1
        }
        self.sentences = sentences
    }

    /// The `[sentences.count, d]` embeddings, computed by `encode` in batches of `batchSize`
    /// (bounding the encoder's activation memory), without gradient, reporting sentences done.
    public func embed(_ encode: EmbeddingFunction, batchSize: Int, progress: ProgressHandler? = nil) throws -> Tensor {
        ensure(batchSize > 0, "DistinctSentences.embed: batch size \(batchSize) must be positive")
        ensure(!sentences.isEmpty, "DistinctSentences.embed: no sentences to embed")
        let batches = try withoutGradient {
            try stride(from: 0, to: sentences.count, by: batchSize).map { start -> Tensor in
                let batch = Array(sentences[start..<Swift.min(start + batchSize, sentences.count)])
                let embeddings = try encode(batch)
                ensure(embeddings.rank == 2 && embeddings.shape[0] == batch.count,
                             "DistinctSentences.embed: encoder returned \(embeddings.shape) for a batch of \(batch.count) sentences, expected [\(batch.count), d]")
                progress?(start + batch.count, sentences.count)
                return embeddings
            }
        }
        return batches.count == 1 ? batches[0] : Tensor.concat(batches, axis: 0)
    }
}
