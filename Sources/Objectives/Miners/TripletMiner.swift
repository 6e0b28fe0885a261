import Tensors

/// One training triplet: indices of an anchor, a positive (same label) and a negative
/// (different label) within a batch.
public struct Triplet: Hashable, Sendable {
    /// The anchor's row.
    public let anchor: Int
    /// A row with the anchor's label, other than the anchor.
    public let positive: Int
    /// A row with another label.
    public let negative: Int

    /// Creates a triplet of row indices.
    public init(anchor: Int, positive: Int, negative: Int) {
        self.anchor = anchor
        self.positive = positive
        self.negative = negative
    }
}

/// Chooses which triplets of a labelled batch a triplet loss trains on.
///
/// Miners read a constant `[N, N]` closeness matrix (larger is closer, whatever the measure), so
/// one miner serves cosine and Euclidean losses alike.
///
/// ```swift
/// let loss = TripletMarginLoss(margin: 0.2)(embeddings: x, labels: y, miner: BatchHardMiner())
/// ```
public protocol TripletMiner: Sendable {
    /// The triplets to train on, given `closeness[i][j]` (row-major `[N, N]`) and the `N` labels.
    func mine(closeness: [Float], labels: [Int]) -> [Triplet]
}

/// Row `i`'s positives (`j ≠ i`, same label) and negatives (other labels).
struct LabelledBatch {
    let labels: [Int]

    func positives(of i: Int) -> [Int] { labels.indices.filter { $0 != i && labels[$0] == labels[i] } }
    func negatives(of i: Int) -> [Int] { labels.indices.filter { labels[$0] != labels[i] } }
}
