import Tensors

/// Every valid triplet whose difficulty is of a chosen kind (pytorch-metric-learning's
/// `TripletMarginMiner`). With `gap = closeness(a, p) - closeness(a, n)` (for distances
/// `d(a, n) - d(a, p)`):
/// - `.all`: every valid triplet;
/// - `.hard`: `gap ≤ 0`, the negative is at least as close as the positive;
/// - `.semiHard`: `0 < gap ≤ margin`, right order but inside the margin (FaceNet);
/// - `.easy`: `gap > margin`, already satisfied (zero loss: for analysis and curricula).
///
/// ```swift
/// let semiHard = TripletMarginMiner(.semiHard, margin: 0.2)   // same margin as the loss
/// let loss = TripletMarginLoss(margin: 0.2)(embeddings: x, labels: y, miner: semiHard)
/// ```
public struct TripletMarginMiner: TripletMiner {
    /// Which triplets to keep.
    public enum Difficulty: Sendable, CaseIterable {
        /// Every valid triplet.
        case all
        /// `gap ≤ 0`.
        case hard
        /// `0 < gap ≤ margin`.
        case semiHard
        /// `gap > margin`.
        case easy
    }

    /// Which triplets to keep.
    public var difficulty: Difficulty
    /// The margin that separates semi-hard from easy triplets (use the loss's).
    public var margin: Float

    /// Creates the miner; `margin` matters only for `.semiHard` and `.easy`.
    public init(_ difficulty: Difficulty = .all, margin: Float = 0) {
        self.difficulty = difficulty
        self.margin = margin
    }

    /// The valid triplets of the chosen difficulty, ordered by anchor, positive, negative.
    public func mine(closeness: [Float], labels: [Int]) -> [Triplet] {
        let n = labels.count
        ensure(closeness.count == n * n, "TripletMarginMiner: closeness has \(closeness.count) entries for \(n) labels")
        let batch = LabelledBatch(labels: labels)
        var triplets: [Triplet] = []
        for a in 0..<n {
            let negatives = batch.negatives(of: a)
            for p in batch.positives(of: a) {
                for neg in negatives where keeps(gap: closeness[a * n + p] - closeness[a * n + neg]) {
                    triplets.append(Triplet(anchor: a, positive: p, negative: neg))
                }
            }
        }
        return triplets
    }

    private func keeps(gap: Float) -> Bool {
        switch difficulty {
        case .all: true
        case .hard: gap <= 0
        case .semiHard: gap > 0 && gap <= margin
        case .easy: gap > margin
        }
    }
}
