import Foundation
import Tensors

/// The cut-offs at which ``RetrievalMetrics`` are computed (sentence-transformers'
/// `InformationRetrievalEvaluator` arguments, with Recall@100 added).
public struct RetrievalCutoffs: Sendable, Equatable {
    public var accuracy: [Int]
    public var precisionRecall: [Int]
    public var mrr: [Int]
    public var ndcg: [Int]
    public var map: [Int]

    /// Accuracy at 1, 3, 5, 10; precision and recall at 1, 3, 5, 10, 100; MRR and nDCG at 10; MAP at 100.
    public static let standard = RetrievalCutoffs(accuracy: [1, 3, 5, 10], precisionRecall: [1, 3, 5, 10, 100], mrr: [10], ndcg: [10], map: [100])

    /// Creates cut-offs; each list must be non-empty and positive.
    public init(accuracy: [Int], precisionRecall: [Int], mrr: [Int], ndcg: [Int], map: [Int]) {
        for list in [accuracy, precisionRecall, mrr, ndcg, map] {
            ensure(!list.isEmpty && list.allSatisfy { $0 > 0 }, "RetrievalCutoffs: cut-offs must be positive, got \(list)")
        }
        (self.accuracy, self.precisionRecall, self.mrr, self.ndcg, self.map) = (accuracy, precisionRecall, mrr, ndcg, map)
    }

    /// The deepest cut-off: how many documents each query's ranking needs.
    public var deepest: Int { (accuracy + precisionRecall + mrr + ndcg + map).max()! }
}

/// Ranking metrics over queries, each with its ranked documents and its relevant ones, with the
/// definitions of sentence-transformers' `InformationRetrievalEvaluator` (each averaged over the
/// queries):
///
/// - Accuracy@k: whether a relevant document is among the first k;
/// - Precision@k: relevant documents among the first k, divided by k;
/// - Recall@k: relevant documents among the first k, divided by the query's relevant documents;
/// - MRR@k: 1 / the rank of the first relevant document among the first k (0 without one);
/// - nDCG@k: DCG of the first k, `Σ gain(doc at rank i) / log2(i + 1)`, over the DCG of the
///   ideal ranking (the query's gains sorted in decreasing order, its first k);
/// - MAP@k: the sum of the precision at the rank of each relevant document among the first k,
///   divided by min(k, the query's relevant documents).
///
/// A document's gain is its judgement's score (BEIR's graded relevance, as pytrec_eval's nDCG);
/// sentence-transformers' evaluator counts every relevant document as 1, so on judgements whose
/// scores are all 1 the two agree exactly; the other metrics only ask whether a document is relevant.
public struct RetrievalMetrics: Sendable, Equatable {
    /// Queries averaged over.
    public let queries: Int
    /// Each metric by cut-off.
    public let accuracy, precision, recall, mrr, ndcg, map: [Int: Double]

    /// The metrics of `rankings` (for each query, document ids best first, at least as deep as
    /// the deepest cut-off or the whole corpus) against `relevant` (for each query, its relevant
    /// document ids with their gains, all above 0, at least one).
    public init(rankings: [[String]], relevant: [[String: Int]], cutoffs: RetrievalCutoffs = .standard) {
        ensure(rankings.count == relevant.count && !rankings.isEmpty,
               "RetrievalMetrics: \(rankings.count) rankings for \(relevant.count) queries")
        ensure(relevant.allSatisfy { !$0.isEmpty && $0.values.allSatisfy { $0 > 0 } },
               "RetrievalMetrics: every query needs a relevant document, each with a gain above 0")
        func mean(_ cutoffs: [Int], _ value: (_ gains: [Int], _ relevant: [String: Int], _ k: Int) -> Double) -> [Int: Double] {
            Dictionary(uniqueKeysWithValues: cutoffs.map { k in
                // The gain of each ranked document of the first k (0: not relevant).
                let total = zip(rankings, relevant).reduce(0.0) { sum, query in sum + value(query.0.prefix(k).map { query.1[$0] ?? 0 }, query.1, k) }
                return (k, total / Double(rankings.count))
            })
        }
        queries = rankings.count
        accuracy = mean(cutoffs.accuracy) { gains, _, _ in gains.contains { $0 > 0 } ? 1 : 0 }
        precision = mean(cutoffs.precisionRecall) { gains, _, k in Double(gains.count { $0 > 0 }) / Double(k) }
        recall = mean(cutoffs.precisionRecall) { gains, relevant, _ in Double(gains.count { $0 > 0 }) / Double(relevant.count) }
        mrr = mean(cutoffs.mrr) { gains, _, _ in gains.firstIndex { $0 > 0 }.map { 1 / Double($0 + 1) } ?? 0 }
        ndcg = mean(cutoffs.ndcg) { gains, relevant, k in
            Self.dcg(gains) / Self.dcg(Array(relevant.values.sorted(by: >).prefix(k)))
        }
        map = mean(cutoffs.map) { gains, relevant, k in
            var found = 0, sum = 0.0
            for (rank, gain) in gains.enumerated() where gain > 0 {
                found += 1
                sum += Double(found) / Double(rank + 1)
            }
            return sum / Double(min(k, relevant.count))
        }
    }

    /// Discounted cumulative gain of gains in rank order.
    static func dcg(_ gains: [Int]) -> Double {
        gains.enumerated().reduce(0) { $0 + Double($1.element) / log2(Double($1.offset + 2)) }
    }

    /// The metrics under names `<prefix>_ndcg_at_10`, `<prefix>_mrr_at_10`, `<prefix>_map_at_100`,
    /// `<prefix>_recall_at_1`, `<prefix>_precision_at_10`, `<prefix>_accuracy_at_1`, ... (without
    /// the prefix and its `_` when `prefix` is empty), with `<prefix>_queries`.
    public func metrics(prefix: String = "") -> [String: Double] {
        let named: [(String, [Int: Double])] = [("accuracy", accuracy), ("precision", precision), ("recall", recall),
                                                 ("mrr", mrr), ("ndcg", ndcg), ("map", map)]
        var metrics = ["queries": Double(queries)]
        for (name, values) in named {
            for (k, value) in values { metrics["\(name)_at_\(k)"] = value }
        }
        return prefix.isEmpty ? metrics : Dictionary(uniqueKeysWithValues: metrics.map { ("\(prefix)_\($0.key)", $0.value) })
    }
}
