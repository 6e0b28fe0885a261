import Tensors
import Text

/// Hard-negative mining as sentence-transformers' `mine_hard_negatives` does it for n-tuples:
/// each distinct anchor of (anchor, positive) pairs ranks a corpus by the cosine similarity of
/// embeddings, and its hard negatives are drawn from that ranking.
///
/// The corpus is the given sentences and every positive, each once. For each anchor, the
/// `rangeMax + (most positives of an anchor) + 1` closest documents are candidates; the anchor's
/// own text and its positives are dropped, then the candidates within `absoluteMargin` of the
/// anchor's lowest positive score (`score + margin > positive`), within `relativeMargin` of it
/// (`score > positive - |positive| · margin`), above `maxScore` or below `minScore`. The rest, best
/// first, lose their first `rangeMin`; of the remaining (up to `rangeMax - rangeMin`), `sampling`
/// takes the first `negatives` (`top`) or `negatives` drawn at random (`random`, seeded), sorted
/// by score. Each (anchor, positive) pair becomes a tuple when its anchor found `negatives`
/// negatives; an anchor with fewer gives none.
///
/// `absoluteMargin` 0 drops every candidate the model scores above the positive: the check that
/// sentence-transformers runs with a cross-encoder's scores, here with the same model's.
///
/// ```swift
/// let mining = HardNegativeMining(negatives: 3, relativeMargin: 0.05)
/// let outcome = try mining.mine(pairs: pairs, corpus: sentences) { encoder.encode($0) }
/// print(outcome.tuples.count)
/// ```
public struct HardNegativeMining: Sendable {
    /// How the negatives are taken from an anchor's remaining candidates.
    public enum Sampling: String, Sendable, CaseIterable {
        /// The closest ones.
        case top
        /// Drawn uniformly from those that passed the filters.
        case random
    }

    /// Negatives per tuple.
    public var negatives: Int
    /// Ranks skipped at the top of each anchor's filtered candidates.
    public var rangeMin: Int
    /// The deepest rank a negative may come from; `nil`: `rangeMin + negatives + (most positives
    /// of an anchor)`, or with a margin or `maxScore`, `rangeMin + 10 · negatives + (most positives)`.
    public var rangeMax: Int?
    public var absoluteMargin: Float?
    public var relativeMargin: Float?
    public var maxScore: Float?
    public var minScore: Float?
    public var sampling: Sampling
    /// The seed of `random` sampling.
    public var seed: UInt64
    /// Texts per call of the encoder.
    public var batchSize: Int

    /// Mining settings; the defaults are sentence-transformers' (3 negatives, `top`), seed 42.
    public init(negatives: Int = 3, rangeMin: Int = 0, rangeMax: Int? = nil, absoluteMargin: Float? = nil, relativeMargin: Float? = nil,
                maxScore: Float? = nil, minScore: Float? = nil, sampling: Sampling = .top, seed: UInt64 = 42, batchSize: Int = 64) {
        (self.negatives, self.rangeMin, self.rangeMax) = (negatives, rangeMin, rangeMax)
        (self.absoluteMargin, self.relativeMargin, self.maxScore, self.minScore) = (absoluteMargin, relativeMargin, maxScore, minScore)
        (self.sampling, self.seed, self.batchSize) = (sampling, seed, batchSize)
    }

    /// What the settings get wrong, one line each starting with the setting's name (empty when they are valid).
    public var problems: [String] {
        var problems: [String] = []
        if negatives < 1 { problems.append("negatives must be at least 1") }
        if rangeMin < 0 { problems.append("range-min must not be negative") }
        if let rangeMax {
            if rangeMax <= rangeMin { problems.append("range-max (\(rangeMax)) must be larger than range-min (\(rangeMin))") }
            if negatives > rangeMax - rangeMin {
                problems.append("range-max \(rangeMax) leaves \(rangeMax - rangeMin) ranks after range-min \(rangeMin), fewer than the \(negatives) negatives")
            }
        }
        if batchSize < 1 { problems.append("batch-size must be at least 1") }
        return problems
    }

    /// `rangeMax`, or its default for anchors with at most `maxPositives` positives.
    public func resolvedRangeMax(maxPositives: Int) -> Int {
        if let rangeMax { return rangeMax }
        let filtered = absoluteMargin != nil || relativeMargin != nil || maxScore != nil
        return rangeMin + negatives * (filtered ? 10 : 1) + maxPositives
    }

    /// What mining found.
    public struct Outcome: Sendable {
        /// One tuple per (anchor, positive) pair whose anchor found enough negatives: anchors in
        /// order of first appearance, each with its distinct positives in order.
        public var tuples: [SentenceTuple]
        /// Each tuple's scores: the positive's, then each negative's.
        public var scores: [[Float]]
        /// The (anchor, positive) pairs, each once: the most tuples there could be.
        public var pairs: Int
        /// Distinct anchors, and documents searched (the corpus with the positives).
        public var anchors: Int, documents: Int
        /// The rank window's end used.
        public var rangeMax: Int
        /// Candidates each filter dropped, by name (`absolute-margin`, `relative-margin`,
        /// `max-score`, `min-score`), only those that dropped some.
        public var skipped: [String: Int]
        /// Candidates considered: anchors times candidates per anchor.
        public var candidates: Int
    }

    /// Mines negatives for `pairs` from `corpus` (and the positives), embedding with `encode`;
    /// `progress` counts distinct texts embedded.
    ///
    /// - Throws: whatever `encode` throws.
    public func mine(pairs: [SentencePair], corpus: [String], progress: ProgressHandler? = nil, _ encode: EmbeddingFunction) throws -> Outcome {
        ensure(problems.isEmpty, "HardNegativeMining: \(problems.joined(separator: "; "))")
        ensure(!pairs.isEmpty, "HardNegativeMining: no pairs to mine negatives for")
        let documents = DistinctSentences(corpus + pairs.map(\.second)).sentences
        let anchors = DistinctSentences(pairs.map(\.first))
        let documentIndex = Dictionary(uniqueKeysWithValues: documents.enumerated().map { ($1, $0) })
        // Each anchor's distinct positives, as document indices in pair order.
        var positives = [[Int]](repeating: [], count: anchors.sentences.count)
        for (pair, anchor) in zip(pairs, anchors.rows) where !positives[anchor].contains(documentIndex[pair.second]!) {
            positives[anchor].append(documentIndex[pair.second]!)
        }
        let maxPositives = positives.map(\.count).max()!
        let rangeMax = resolvedRangeMax(maxPositives: maxPositives)
        let candidatesPerAnchor = rangeMax + maxPositives + 1

        let distinct = DistinctSentences(anchors.sentences + documents)
        let embeddings = try distinct.embed(encode, batchSize: batchSize, progress: progress)
        let anchorCount = anchors.sentences.count
        let (ranked, positiveScores) = withoutGradient {
            let all = embeddings.l2Normalized()
            let anchorRows = all.indexSelect(axis: 0, Array(distinct.rows[..<anchorCount]))
            let documentRows = all.indexSelect(axis: 0, Array(distinct.rows[anchorCount...]))
            let ranked = InformationRetrievalEvaluator.rank(queries: anchorRows, documents: documentRows, depth: candidatesPerAnchor)
            // Cosine of each anchor with each of its positives.
            let positiveScores = positives.enumerated().map { anchor, documents in
                documents.map { (anchorRows.slice(axis: 0, anchor..<(anchor + 1)) * documentRows.slice(axis: 0, $0..<($0 + 1))).sum().item }
            }
            return (ranked, positiveScores)
        }

        var skipped: [String: Int] = [:]
        var generator = RandomGenerator(seed: seed)
        var outcome = Outcome(tuples: [], scores: [], pairs: positives.map(\.count).reduce(0, +), anchors: anchorCount,
                              documents: documents.count, rangeMax: rangeMax, skipped: [:], candidates: anchorCount * candidatesPerAnchor)
        for anchor in 0..<anchorCount {
            let own = documentIndex[anchors.sentences[anchor]]
            let lowestPositive = positiveScores[anchor].min()!
            let filters: [(name: String, drops: (Float) -> Bool)] = [
                absoluteMargin.map { margin in ("absolute-margin", { $0 + margin > lowestPositive }) },
                relativeMargin.map { margin in ("relative-margin", { $0 > lowestPositive - abs(lowestPositive) * margin }) },
                maxScore.map { limit in ("max-score", { $0 > limit }) },
                minScore.map { limit in ("min-score", { $0 < limit }) },
            ].compactMap { $0 }
            // Candidates that pass, best first (the ranking's order, which breaks ties by index).
            let kept = ranked[anchor].filter { candidate in
                guard candidate.document != own, !positives[anchor].contains(candidate.document) else { return false }
                guard let failed = filters.first(where: { $0.drops(candidate.score) }) else { return true }
                skipped[failed.name, default: 0] += 1
                return false
            }
            let window = Array(kept.prefix(rangeMax).dropFirst(rangeMin))
            guard window.count >= negatives else { continue }
            let chosen: [(document: Int, score: Float)]
            switch sampling {
            case .top:
                chosen = Array(window.prefix(negatives))
            case .random:
                // A partial Fisher-Yates shuffle, then best first again.
                var order = Array(window.indices)
                for i in 0..<negatives { order.swapAt(i, i + generator.nextInt(below: order.count - i)) }
                chosen = order.prefix(negatives).sorted().map { window[$0] }
            }
            for (positive, score) in zip(positives[anchor], positiveScores[anchor]) {
                outcome.tuples.append(SentenceTuple(anchor: anchors.sentences[anchor], positive: documents[positive], negatives: chosen.map { documents[$0.document] }))
                outcome.scores.append([score] + chosen.map(\.score))
            }
        }
        outcome.skipped = skipped
        return outcome
    }
}
