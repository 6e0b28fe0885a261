import Tensors

/// Batch-hard mining (Hermans et al. 2017): for each anchor with at least one positive and one
/// negative, its farthest positive and its closest negative; one triplet per such anchor.
///
/// ```swift
/// let loss = TripletMarginLoss(margin: 0.3)(embeddings: x, labels: y, miner: BatchHardMiner())
/// ```
public struct BatchHardMiner: TripletMiner {
    /// Creates the miner.
    public init() {}

    /// One `(anchor, hardest positive, hardest negative)` per anchor that has both; the first
    /// index wins ties.
    public func mine(closeness: [Float], labels: [Int]) -> [Triplet] {
        let n = labels.count
        ensure(closeness.count == n * n, "BatchHardMiner: closeness has \(closeness.count) entries for \(n) labels")
        let batch = LabelledBatch(labels: labels)
        return (0..<n).compactMap { a in
            let row = { (j: Int) in closeness[a * n + j] }
            guard let p = batch.positives(of: a).min(by: { row($0) < row($1) }),
                  let neg = batch.negatives(of: a).max(by: { row($0) < row($1) }) else { return nil }
            return Triplet(anchor: a, positive: p, negative: neg)
        }
    }
}
