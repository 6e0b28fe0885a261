import Evaluation
import Foundation
import Tensors
import Testing
import Text

/// Retrieval metrics against values worked out by hand, the evaluator's ranking (ties by
/// document id), and hard-negative mining's options on a corpus with known cosines.
@Suite struct RetrievalEvaluatorTests {
    /// Small cut-offs the hand computations reach.
    static let cutoffs = RetrievalCutoffs(accuracy: [1, 3], precisionRecall: [1, 3], mrr: [3], ndcg: [3], map: [3])

    /// Query A: relevant d1 and d3 (gain 1), ranked d2 d1 d4 d3 d5: first hit at rank 2.
    /// Query B: relevant d5 (gain 2) and d2 (gain 1), ranked d5 d1 d2 d4 d3: hits at ranks 1 and 3.
    @Test func metricsMatchHandComputedValues() {
        let metrics = RetrievalMetrics(rankings: [["d2", "d1", "d4", "d3", "d5"], ["d5", "d1", "d2", "d4", "d3"]],
                                       relevant: [["d1": 1, "d3": 1], ["d5": 2, "d2": 1]], cutoffs: Self.cutoffs)
        let l3 = log2(3.0)
        // A: DCG@3 = 1/log2(3), ideal 1 + 1/log2(3). B: DCG@3 = 2/log2(2) + 1/log2(4) = 2.5, ideal 2 + 1/log2(3).
        let ndcgA = (1 / l3) / (1 + 1 / l3), ndcgB = 2.5 / (2 + 1 / l3)
        let expected: [String: Double] = [
            "accuracy_at_1": 0.5, "accuracy_at_3": 1,
            "precision_at_1": 0.5, "precision_at_3": (1.0 / 3 + 2.0 / 3) / 2,
            "recall_at_1": (0 + 0.5) / 2, "recall_at_3": (0.5 + 1) / 2,
            "mrr_at_3": (0.5 + 1) / 2,
            "ndcg_at_3": (ndcgA + ndcgB) / 2,
            // A: precision 1/2 at its hit over min(3, 2); B: (1/1 + 2/3) over 2.
            "map_at_3": (0.5 / 2 + (1 + 2.0 / 3) / 2) / 2,
            "queries": 2,
        ]
        let named = metrics.metrics()
        #expect(Set(named.keys) == Set(expected.keys))
        for (name, value) in expected { #expect(abs(named[name]! - value) < 1e-12, "\(name): \(named[name]!) vs \(value)") }
        #expect(metrics.metrics(prefix: "ir")["ir_ndcg_at_3"] == named["ndcg_at_3"])
        // Binary gains: nDCG is sentence-transformers' (every relevant document counts 1).
        let binary = RetrievalMetrics(rankings: [["d5", "d1", "d2"]], relevant: [["d5": 1, "d2": 1]], cutoffs: Self.cutoffs)
        #expect(abs(binary.ndcg[3]! - (1 + 0.5) / (1 + 1 / l3)) < 1e-12)
    }

    /// Fewer documents than a cut-off: precision still divides by k, recall by the relevant count.
    @Test func shortRankings() {
        let metrics = RetrievalMetrics(rankings: [["d1"]], relevant: [["d1": 1, "d2": 1]], cutoffs: Self.cutoffs)
        #expect(metrics.precision[3] == 1.0 / 3 && metrics.recall[3] == 0.5 && metrics.map[3] == 0.5 && metrics.mrr[3] == 1)
    }

    /// 2-D embeddings: the query points along x; `tie-b` and `tie-a` point the same way (equal
    /// scores), `far` is orthogonal.
    static let table: [String: [Float]] = ["query": [1, 0], "tie-b": [2, 0], "tie-a": [1, 0], "far": [0, 1], "other": [0, 1], "close": [1, 0.1]]

    static func encode(_ texts: [String]) -> Tensor {
        Tensor(texts.flatMap { table[$0]! }, shape: [texts.count, 2])
    }

    static func dataset(relevant: [String: Int]) -> RetrievalDataset {
        // File order puts "b" before "a": equal scores must still rank "a" first, by id.
        let documents = [RetrievalDataset.Document(id: "b", text: "tie-b"), RetrievalDataset.Document(id: "c", title: "", text: "far"),
                         RetrievalDataset.Document(id: "a", text: "tie-a")]
        return RetrievalDataset(documents: documents, queries: [.init(id: "q", text: "query"), .init(id: "q2", text: "other")],
                                judgements: ["q": relevant, "q2": ["c": 0]], split: "test")
    }

    @Test func equalScoresRankByDocumentID() throws {
        let evaluator = InformationRetrievalEvaluator(dataset: Self.dataset(relevant: ["b": 1]))
        // q2's judgement is not relevant: only q is ranked.
        #expect(evaluator.queries.map(\.id) == ["q"])
        #expect(evaluator.documents.map(\.id) == ["a", "b", "c"])
        let metrics = try evaluator.evaluate(Self.encode)
        // "b" ties "a" for first and follows it.
        #expect(metrics["ir_mrr_at_10"] == 0.5 && metrics["ir_accuracy_at_1"] == 0 && metrics["ir_recall_at_3"] == 1)
        #expect(metrics["ir_documents"] == 3 && metrics["ir_queries"] == 1)
        #expect(evaluator.primaryMetric == "ir_ndcg_at_10")
        let first = try InformationRetrievalEvaluator(dataset: Self.dataset(relevant: ["a": 1])).run(Self.encode)
        #expect(first.mrr[10] == 1 && first.ndcg[10] == 1)
    }

    @Test func embedsEachDistinctTextOnceInBatches() throws {
        var batches: [[String]] = []
        var evaluator = InformationRetrievalEvaluator(dataset: Self.dataset(relevant: ["c": 3]))
        evaluator.batchSize = 2
        var reports: [Int] = []
        _ = try evaluator.run({ batches.append($0); return Self.encode($0) }, progress: { done, total in reports.append(done); #expect(total == 4) })
        #expect(batches == [["query", "tie-a"], ["tie-b", "far"]])
        #expect(reports == [2, 4])
    }

    // MARK: Hard-negative mining

    /// Unit vectors at known angles from the anchor `q` (cosine = cos(angle)): the positive at 10°,
    /// `n1` closer than it (5°), then `n2`...`n6` at 20°, 30°, 40°, 60°, 80°; a second anchor `r` at 90°.
    static let angles: [String: Double] = ["q": 0, "p": 10, "n1": 5, "n2": 20, "n3": 30, "n4": 40, "n5": 60, "n6": 80, "r": 90]

    static func circle(_ texts: [String]) -> Tensor {
        Tensor(texts.flatMap { text in [Float(cos(angles[text]! * .pi / 180)), Float(sin(angles[text]! * .pi / 180))] }, shape: [texts.count, 2])
    }

    static let corpus = ["n6", "n5", "n4", "n3", "n2", "n1", "q"]

    func mine(_ mining: HardNegativeMining, pairs: [SentencePair] = [SentencePair("q", "p")]) throws -> HardNegativeMining.Outcome {
        try mining.mine(pairs: pairs, corpus: Self.corpus, Self.circle)
    }

    @Test func topNegativesSkipTheAnchorAndItsPositive() throws {
        let outcome = try mine(HardNegativeMining(negatives: 2))
        #expect(outcome.tuples == [SentenceTuple(anchor: "q", positive: "p", negatives: ["n1", "n2"])])
        #expect(outcome.rangeMax == 3 && outcome.documents == 8 && outcome.anchors == 1 && outcome.pairs == 1 && outcome.skipped.isEmpty)
        #expect(zip(outcome.scores[0], [10.0, 5, 20]).allSatisfy { abs(Double($0) - cos($1 * .pi / 180)) < 1e-6 })
    }

    @Test func marginsAndScoreLimitsDropCandidates() throws {
        // Absolute margin 0: nothing scored above the positive (n1).
        let zero = try mine(HardNegativeMining(negatives: 2, absoluteMargin: 0))
        #expect(zero.tuples[0].negatives == ["n2", "n3"] && zero.skipped == ["absolute-margin": 1] && zero.rangeMax == 21)
        // 0.1 below cos 10° = 0.885: n1 and n2 (0.940) go.
        #expect(try mine(HardNegativeMining(negatives: 2, absoluteMargin: 0.1)).tuples[0].negatives == ["n3", "n4"])
        // 5% of 0.985 below it, 0.936: n2 (0.940) goes too.
        let relative = try mine(HardNegativeMining(negatives: 2, relativeMargin: 0.05))
        #expect(relative.tuples[0].negatives == ["n3", "n4"] && relative.skipped == ["relative-margin": 2])
        #expect(try mine(HardNegativeMining(negatives: 2, maxScore: 0.9)).tuples[0].negatives == ["n3", "n4"])
        // Above 0.6: n1 to n4 pass; the margin drops n1 first (counted once, by the first filter).
        let both = try mine(HardNegativeMining(negatives: 3, absoluteMargin: 0, minScore: 0.6))
        #expect(both.tuples[0].negatives == ["n2", "n3", "n4"] && both.skipped == ["absolute-margin": 1, "min-score": 2])
        // Too few left: the pair is left out.
        let few = try mine(HardNegativeMining(negatives: 2, minScore: 0.95))
        #expect(few.tuples.isEmpty && few.pairs == 1)
    }

    @Test func rankWindow() throws {
        // Ranks 1..<4 of n1 n2 n3 n4 ...: n2 n3 n4.
        #expect(try mine(HardNegativeMining(negatives: 2, rangeMin: 1, rangeMax: 4)).tuples[0].negatives == ["n2", "n3"])
        #expect(try mine(HardNegativeMining(negatives: 3, rangeMin: 1, rangeMax: 4)).tuples[0].negatives == ["n2", "n3", "n4"])
        #expect(HardNegativeMining(negatives: 4, rangeMin: 1, rangeMax: 4).problems == ["range-max 4 leaves 3 ranks after range-min 1, fewer than the 4 negatives"])
        #expect(HardNegativeMining(negatives: 0, rangeMin: -1, rangeMax: -1).problems.count == 3)
    }

    @Test func randomSamplingIsSeededAndStaysInTheWindow() throws {
        let window = ["n1", "n2", "n3", "n4", "n5", "n6"]
        var drawn: Set<[String]> = []
        for seed in UInt64(0)..<12 {
            let mining = HardNegativeMining(negatives: 2, rangeMax: 6, sampling: .random, seed: seed)
            let negatives = try mine(mining).tuples[0].negatives
            #expect(try mine(mining).tuples[0].negatives == negatives, "seed \(seed) draws the same again")
            #expect(negatives.count == 2 && negatives.allSatisfy(window.contains))
            // Best first, as the window is.
            #expect(window.firstIndex(of: negatives[0])! < window.firstIndex(of: negatives[1])!)
            drawn.insert(negatives)
        }
        #expect(drawn.count > 3, "12 seeds drew only \(drawn)")
    }

    /// An anchor with two positives gives two tuples with the same negatives; a repeated pair
    /// counts once; anchors keep their order of first appearance.
    @Test func severalPositivesAndAnchors() throws {
        let pairs = [SentencePair("q", "p"), SentencePair("r", "n6"), SentencePair("q", "n1"), SentencePair("q", "p")]
        let outcome = try mine(HardNegativeMining(negatives: 2), pairs: pairs)
        #expect(outcome.pairs == 3 && outcome.anchors == 2)
        #expect(outcome.tuples == [SentenceTuple(anchor: "q", positive: "p", negatives: ["n2", "n3"]),
                                   SentenceTuple(anchor: "q", positive: "n1", negatives: ["n2", "n3"]),
                                   SentenceTuple(anchor: "r", positive: "n6", negatives: ["n5", "n4"])])
    }
}
