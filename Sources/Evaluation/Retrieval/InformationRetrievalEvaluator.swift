import Foundation
import Tensors
import Text

/// Text retrieval as sentence-transformers' `InformationRetrievalEvaluator` scores it: every
/// query with a relevant document ranks the whole corpus by the cosine similarity of embeddings,
/// and ``RetrievalMetrics`` (nDCG@10, MRR@10, MAP@100, recall, precision, accuracy) are computed
/// over the rankings.
///
/// Documents are embedded as their title and text joined (``RetrievalDataset/Document/contents``).
/// Equal scores are ranked by document id (code-point order of the ids), as sentence-transformers
/// does, so the metrics do not depend on the corpus's order.
///
/// ```swift
/// let evaluator = try InformationRetrievalEvaluator(reading: URL(fileURLWithPath: "data/sts-retrieval"), split: "test")
/// let result = try evaluator.run { encoder.encode($0) }
/// print(result.ndcg[10]!)
/// ```
public struct InformationRetrievalEvaluator: Evaluator, Sendable {
    /// Prefix of the metric names (`ir` gives `ir_ndcg_at_10`).
    public var name: String
    /// The queries ranked: those with at least one relevant document, in file order.
    public let queries: [RetrievalDataset.Query]
    /// For each query, its relevant documents' ids with their scores.
    public let relevant: [[String: Int]]
    /// The corpus, in the order of its ids (the order equal scores are ranked in).
    public let documents: [RetrievalDataset.Document]
    /// The distinct texts embedded: the queries', then the documents'.
    public let distinct: DistinctSentences
    /// Texts per call of the encoder.
    public var batchSize: Int
    /// The cut-offs reported.
    public var cutoffs: RetrievalCutoffs

    /// An evaluator over `dataset`'s split.
    public init(name: String = "ir", dataset: RetrievalDataset, batchSize: Int = 64, cutoffs: RetrievalCutoffs = .standard) {
        ensure(batchSize > 0, "InformationRetrievalEvaluator: batch size \(batchSize) must be positive")
        self.name = name
        queries = dataset.evaluatedQueries
        relevant = queries.map { dataset.relevant(to: $0.id) }
        documents = dataset.documents.sorted { $0.id.unicodeScalars.lexicographicallyPrecedes($1.id.unicodeScalars) { $0.value < $1.value } }
        distinct = DistinctSentences(queries.map(\.text) + documents.map(\.contents))
        self.batchSize = batchSize
        self.cutoffs = cutoffs
    }

    /// An evaluator named `ir` over `split` of the BEIR folder `folder`.
    /// - Throws: the reader's ``TextFileError`` naming the file and line.
    public init(reading folder: URL, split: String) throws {
        self.init(dataset: try RetrievalDataset.read(folder: folder, split: split))
    }

    /// The metric that decides the best model: nDCG at the deepest nDCG cut-off (`ir_ndcg_at_10`).
    public var primaryMetric: String { "\(name)_ndcg_at_\(cutoffs.ndcg.max()!)" }

    /// Embeds each distinct text once, ranks the corpus for every query and computes the metrics.
    /// `progress` counts distinct texts embedded.
    ///
    /// - Throws: whatever `encode` throws.
    public func run(_ encode: EmbeddingFunction, progress: ProgressHandler? = nil) throws -> RetrievalMetrics {
        let (queryRows, documentRows) = try embed(encode, progress: progress)
        return metrics(Self.rank(queries: queryRows, documents: documentRows, depth: cutoffs.deepest))
    }

    /// The metrics of an approximate search (quantised embeddings, ``QuantizedIndex``, or an
    /// HNSW graph, ``HNSWIndex``), next to exact float32 search's on the same embeddings, with how
    /// much of the exact top 10 each query finds.
    ///
    /// - Throws: whatever `encode` throws; ``HNSWIndex/Failure``.
    public func run(_ encode: EmbeddingFunction, search: ApproximateSearch, progress: ProgressHandler? = nil) throws -> ApproximateRetrievalResult {
        let (queryRows, documentRows) = try embed(encode, progress: progress)
        let depth = cutoffs.deepest
        let exact = Self.rank(queries: queryRows, documents: documentRows, depth: depth)
        let (found, bytes) = try search.search(queryRows, in: documentRows, k: depth)
        let approximate = found.map { $0.map { (document: $0.row, score: $0.score) } }
        return ApproximateRetrievalResult(approximate: metrics(approximate), exact: metrics(exact),
                                          overlapAt10: ApproximateRetrievalResult.overlap(approximate, exact, k: 10), bytesPerVector: bytes,
                                          float32BytesPerVector: EmbeddingPrecision.float32.bytesPerVector(dimensions: documentRows.shape[1]))
    }

    /// The evaluated queries' and the documents' embeddings, L2-normalised.
    private func embed(_ encode: EmbeddingFunction, progress: ProgressHandler?) throws -> (queries: Tensor, documents: Tensor) {
        let embeddings = try distinct.embed(encode, batchSize: batchSize, progress: progress)
        let rows = distinct.rows
        return withoutGradient {
            (embeddings.indexSelect(axis: 0, Array(rows[..<queries.count])).l2Normalized(),
             embeddings.indexSelect(axis: 0, Array(rows[queries.count...])).l2Normalized())
        }
    }

    /// The metrics of rankings of document indices.
    private func metrics(_ rankings: [[(document: Int, score: Float)]]) -> RetrievalMetrics {
        RetrievalMetrics(rankings: rankings.map { $0.map { documents[$0.document].id } }, relevant: relevant, cutoffs: cutoffs)
    }

    /// For each row of `queries` (`[q, d]`), the `depth` rows of `documents` (`[n, d]`) with the
    /// largest dot products and those products, best first, equal ones by lower index; the product
    /// matrix is computed a block of queries at a time to bound its memory.
    static func rank(queries: Tensor, documents: Tensor, depth: Int) -> [[(document: Int, score: Float)]] {
        let n = documents.shape[0], block = 256
        return stride(from: 0, to: queries.shape[0], by: block).flatMap { start in
            let end = min(start + block, queries.shape[0])
            let scores = queries.slice(axis: 0, start..<end).matmul(documents, transposeOther: true).scalars
            return (0..<(end - start)).map { q in
                topIndices(scores[(q * n)..<((q + 1) * n)], min(depth, n)).map { (document: $0 - q * n, score: scores[$0]) }
            }
        }
    }

    /// ``run(_:progress:)``'s metrics named `<name>_ndcg_at_10`, ... (see ``RetrievalMetrics/metrics(prefix:)``),
    /// with `<name>_documents`.
    public func evaluate(_ encode: EmbeddingFunction, progress: ProgressHandler?) throws -> [String: Double] {
        var metrics = try run(encode, progress: progress).metrics(prefix: name)
        metrics["\(name)_documents"] = Double(documents.count)
        return metrics
    }
}

/// How ``InformationRetrievalEvaluator/run(_:search:progress:)`` searches the documents.
public enum ApproximateSearch: Sendable, Equatable {
    /// Quantised embeddings (`.int8` or `.binary`), rescoring `rescoreMultiplier` candidates per result.
    case quantised(EmbeddingPrecision, rescoreMultiplier: Int)
    /// hnswlib's graph over the float32 embeddings.
    case hnsw

    /// For each row of `queries`, the `k` best rows of `documents` with their scores, best first,
    /// from this search's index built over `documents`, and the index's bytes per vector.
    /// - Throws: ``HNSWIndex/Failure``.
    public func search(_ queries: Tensor, in documents: Tensor, k: Int) throws -> (hits: [[(row: Int, score: Float)]], bytesPerVector: Int) {
        switch self {
        case .quantised(let precision, let rescoreMultiplier):
            let index = QuantizedIndex(embeddings: documents, precision: precision)
            return (index.search(queries, k: k, rescoreMultiplier: rescoreMultiplier), index.bytesPerVector)
        case .hnsw:
            let index = try HNSWIndex(embeddings: documents)
            return (index.search(queries, k: k), index.bytesPerVector)
        }
    }
}

/// An approximate search's metrics beside exact float32 search's on the same embeddings.
public struct ApproximateRetrievalResult: Sendable, Equatable {
    public let approximate: RetrievalMetrics, exact: RetrievalMetrics
    /// The share of exact search's first 10 documents that the approximate search's first 10
    /// hold, averaged over the queries (recall@10 against exact search).
    public let overlapAt10: Double
    /// Memory per stored document vector: the approximate index's, and float32's.
    public let bytesPerVector: Int, float32BytesPerVector: Int

    /// The mean share of each `reference` ranking's first `k` found in the same query's `ranking`'s first `k`.
    static func overlap(_ rankings: [[(document: Int, score: Float)]], _ reference: [[(document: Int, score: Float)]], k: Int) -> Double {
        let shares = zip(rankings, reference).map { ranking, exact in
            let expected = Set(exact.prefix(k).map(\.document))
            return Double(ranking.prefix(k).count { expected.contains($0.document) }) / Double(max(expected.count, 1))
        }
        return shares.reduce(0, +) / Double(max(shares.count, 1))
    }
}
