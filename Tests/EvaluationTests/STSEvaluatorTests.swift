import TestSupport
import Evaluation
import Foundation
import Tensors
import Testing
import Text

@Suite struct STSEvaluatorTests {
    /// 2-D embeddings with known cosines: ab 0, ac 1/√2, cd 1/√5, bc 1/√2, ad 3/√10.
    static let table: [String: [Float]] = ["a": [1, 0], "b": [0, 1], "c": [1, 1], "d": [3, -1]]
    static let pairs = [
        ScoredPair("a", "b", score: 1.0), ScoredPair("a", "c", score: 4.5), ScoredPair("c", "d", score: 2.0),
        ScoredPair("b", "c", score: 4.2), ScoredPair("a", "d", score: 5.0), ScoredPair("a", "b", score: 0.5),
    ]

    /// An encoder over `table` that records each batch it was asked for.
    final class TableEncoder {
        let table: [String: [Float]]
        var batches: [[String]] = []
        init(_ table: [String: [Float]]) { self.table = table }
        func encode(_ sentences: [String]) -> Tensor {
            batches.append(sentences)
            let width = table.values.first!.count
            return Tensor(sentences.flatMap { table[$0]! }, shape: [sentences.count, width])
        }
    }

    /// Expected values from numpy/scipy on the same pairs (cosines tie twice: ab = ab, ac = bc).
    @Test func scoresMatchScipyAndEmbedEachSentenceOnce() throws {
        let encoder = TableEncoder(Self.table)
        var reports: [[Int]] = []
        let evaluator = STSEvaluator(pairs: Self.pairs, batchSize: 3)
        #expect(evaluator.distinct.sentences == ["a", "b", "c", "d"])
        #expect(evaluator.distinct.rows == [0, 1, 0, 2, 2, 3, 1, 2, 0, 3, 0, 1])
        let result = try evaluator.run(encoder.encode) { reports.append([$0, $1]) }
        #expect(encoder.batches == [["a", "b", "c"], ["d"]])
        #expect(reports == [[3, 4], [4, 4]])
        #expect(abs(result.spearman - 97.10083124552244) < 1e-4)
        #expect(abs(result.pearson - 97.18261960126891) < 1e-4)
        #expect(result.pairs == 6)
        #expect(abs(result.alignment! - 0.4247354263842607) < 1e-5)
        #expect(abs(result.uniformity! - -1.3424377174008815) < 1e-5)
        let cosines = [0, 1 / 2.0.squareRoot(), 1 / 5.0.squareRoot(), 1 / 2.0.squareRoot(), 3 / 10.0.squareRoot(), 0]
        #expect(zip(result.predictedScores, cosines).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(result.goldScores == Self.pairs.map(\.score))
    }

    @Test func metricsAreNamedAfterTheEvaluator() throws {
        let encoder = TableEncoder(Self.table)
        let metrics = try STSEvaluator(name: "toy", pairs: Self.pairs).evaluate(encoder.encode)
        #expect(Set(metrics.keys) == ["toy_spearman", "toy_pearson", "toy_pairs", "toy_alignment", "toy_uniformity"])
        #expect(metrics["toy_pairs"] == 6)
        // Nothing scored above 4: no alignment; one distinct sentence: no uniformity.
        let flat = try STSEvaluator(name: "", pairs: [ScoredPair("a", "a", score: 3)]).evaluate(encoder.encode)
        #expect(Set(flat.keys) == ["spearman", "pearson", "pairs"])
    }

    @Test func noPairsIsADataError() {
        let encoder = TableEncoder(Self.table)
        #expect(throws: EvaluationError.self) { try STSEvaluator(name: "empty", pairs: []).run(encoder.encode) }
    }

    @Test func encoderErrorsPropagate() {
        struct Broken: Error {}
        #expect(throws: Broken.self) { try STSEvaluator(pairs: Self.pairs).run { _ in throw Broken() } }
    }

    @Test func sickPairsAreScoredByRelatedness() throws {
        let sick = try SICK.read(TestPaths.fixture("sick/SICK_trial.txt")).examples
        let evaluator = STSEvaluator(sick: sick)
        #expect(evaluator.name == "sick")
        #expect(evaluator.pairs.map(\.score) == sick.map(\.relatedness))
        #expect(evaluator.pairs.allSatisfy { (1...5).contains($0.score) })
    }

    /// all-MiniLM-L6-v2's embeddings of the first 100 STS-B dev pairs, computed by
    /// sentence-transformers (Tests/Fixtures/reference): Spearman 94.33, Pearson 93.67 there; alignment and
    /// uniformity computed with numpy from the same (7-decimal) embeddings.
    @Test func reproducesSentenceTransformersOnSTSBDev() throws {
        struct Reference: Decodable {
            struct Sentence: Decodable { let text: String; let embedding: [Float] }
            let pairs: Int
            let spearman_x100: Double
            let pearson_x100: Double
            let sentences: [Sentence]
        }
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TestPaths.fixture("reference/minilm_stsb_dev100.json")))
        let pairs = Array(try STSBenchmark.read(TestPaths.dataFile("stsb/sts-dev.csv")).examples.prefix(reference.pairs))
        let encoder = TableEncoder(Dictionary(uniqueKeysWithValues: reference.sentences.map { ($0.text, $0.embedding) }))
        let result = try STSEvaluator(name: "sts-dev", pairs: pairs).run(encoder.encode)
        #expect(encoder.batches.joined().count == reference.sentences.count)
        #expect(abs(result.spearman - reference.spearman_x100) < 0.01)
        #expect(abs(result.pearson - reference.pearson_x100) < 0.01)
        #expect(abs(result.alignment! - 0.17561059065050344) < 1e-4)
        #expect(abs(result.uniformity! - -3.3163356556190453) < 1e-4)
    }
}
