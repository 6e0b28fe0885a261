import Foundation
import Objectives
import Tensors
import Text

/// Semantic textual similarity: how well the cosine similarity of two sentences' embeddings
/// ranks pairs as humans scored them (STS-B 0-5, SICK relatedness 1-5), reported as Spearman
/// and Pearson correlations x100, with SimCSE's alignment and uniformity of the embeddings.
///
/// ```swift
/// let dev = try STSBenchmark.read(devFile).examples
/// let result = try STSEvaluator(name: "sts-dev", pairs: dev).run(encode)
/// print(result.spearman)   // 86.72 for all-MiniLM-L6-v2
/// ```
public struct STSEvaluator: Evaluator, Sendable {
    /// Prefix of the metric names.
    public var name: String
    /// The scored pairs.
    public let pairs: [ScoredPair]
    /// The pairs' sentences, each once (what the encoder embeds; its count is the progress total).
    public let distinct: DistinctSentences
    /// Sentences per call of the encoder.
    public var batchSize: Int
    /// Gold scores strictly above this define the positive pairs of the alignment metric
    /// (SimCSE: 4 of 5).
    public var alignmentThreshold: Double

    /// An evaluator over `pairs`.
    public init(name: String = "sts", pairs: [ScoredPair], batchSize: Int = 64, alignmentThreshold: Double = 4.0) {
        ensure(batchSize > 0, "STSEvaluator: batch size \(batchSize) must be positive")
        self.name = name
        self.pairs = pairs
        distinct = DistinctSentences(pairs.flatMap { [$0.first, $0.second] })
        self.batchSize = batchSize
        self.alignmentThreshold = alignmentThreshold
    }

    /// An evaluator over SICK pairs, scored by their relatedness (1-5).
    public init(name: String = "sick", sick: [SICKPair], batchSize: Int = 64, alignmentThreshold: Double = 4.0) {
        self.init(name: name, pairs: sick.map(\.scored), batchSize: batchSize, alignmentThreshold: alignmentThreshold)
    }

    /// An evaluator named `sts` over an STS file in `format` (`nil`: guessed from its name).
    /// - Throws: the reader's ``TextFileError`` naming the file and line, or naming the file when
    ///   it holds no pairs.
    public init(reading url: URL, format: STSFileFormat? = nil) throws {
        switch format ?? .guessed(for: url) {
        case .stsb: self.init(name: "sts", pairs: try STSBenchmark.read(url).examples)
        case .sick: self.init(name: "sts", sick: try SICK.read(url).examples)
        }
        guard !pairs.isEmpty else { throw TextFileError(file: url, .invalidRecord("no sentence pairs to evaluate")) }
    }

    /// Embeds each distinct sentence once, scores every pair by cosine similarity and compares
    /// with the gold scores. `progress` counts distinct sentences embedded.
    ///
    /// - Throws: ``EvaluationError`` when there are no pairs; whatever `encode` throws.
    public func run(_ encode: EmbeddingFunction, progress: ProgressHandler? = nil) throws -> STSResult {
        guard !pairs.isEmpty else { throw EvaluationError("STSEvaluator \(name): no pairs to evaluate") }
        let embeddings = try distinct.embed(encode, batchSize: batchSize, progress: progress)
        return withoutGradient {
            // Occurrence 2i is pair i's first sentence, 2i + 1 its second.
            let first = embeddings.indexSelect(axis: 0, stride(from: 0, to: distinct.rows.count, by: 2).map { distinct.rows[$0] })
            let second = embeddings.indexSelect(axis: 0, stride(from: 1, to: distinct.rows.count, by: 2).map { distinct.rows[$0] })
            let gold = pairs.map(\.score)
            let predicted = CosineSimilarity().paired(first, second).scalars.map(Double.init)
            let alignment = Alignment().metric(first, second, goldScores: gold.map(Float.init), threshold: Float(alignmentThreshold))
            let uniformity = distinct.sentences.count >= 2 ? Uniformity().metric(embeddings) : nil
            return STSResult(
                spearman: 100 * Correlation.spearman(gold, predicted),
                pearson: 100 * Correlation.pearson(gold, predicted),
                pairs: pairs.count,
                alignment: alignment.map(Double.init),
                uniformity: uniformity.map(Double.init),
                goldScores: gold,
                predictedScores: predicted)
        }
    }

    /// ``run(_:progress:)``'s result as metrics named `<name>_spearman`, `<name>_pearson`,
    /// `<name>_pairs`, `<name>_alignment`, `<name>_uniformity`.
    public func evaluate(_ encode: EmbeddingFunction, progress: ProgressHandler?) throws -> [String: Double] {
        try run(encode, progress: progress).metrics(prefix: name)
    }
}
