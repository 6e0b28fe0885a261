import Tensors

/// The triplet margin loss `max(0, closeness(a, n) - closeness(a, p) + margin)` (for a distance:
/// `max(0, d(a, p) - d(a, n) + margin)`), over given triplets or over triplets a miner picks
/// from a labelled batch, reduced by a `Reducer`.
///
/// ```swift
/// // FaceNet-style, Euclidean on normalised embeddings, explicit triplets:
/// let triplet = TripletMarginLoss(margin: 0.2)
/// let l1 = triplet(anchors: a, positives: p, negatives: n)
/// // Cosine similarity, batch-hard mining over a labelled batch:
/// let cosine = TripletMarginLoss(margin: 0.1, measure: CosineSimilarity())
/// let l2 = cosine(embeddings: x, labels: y, miner: BatchHardMiner())
/// // All semi-hard triplets, averaged over the non-zero ones:
/// let l3 = TripletMarginLoss(margin: 0.2, reducer: NonZeroMeanReducer())(
///     embeddings: x, labels: y, miner: TripletMarginMiner(.semiHard, margin: 0.2))
/// ```
public struct TripletMarginLoss {
    /// The margin by which positives should be closer than negatives.
    public var margin: Float
    /// The measure (default: Euclidean distance between L2-normalised embeddings).
    public var measure: any PairwiseMeasure
    /// How the per-triplet losses become one scalar (default: the mean, zeros included).
    public var reducer: any Reducer

    /// Creates the loss.
    public init(margin: Float, measure: any PairwiseMeasure = EuclideanDistance(normalizesEmbeddings: true),
                reducer: any Reducer = MeanReducer()) {
        self.margin = margin
        self.measure = measure
        self.reducer = reducer
    }

    /// The loss over triplets `(anchors[i], positives[i], negatives[i])`, all `[N, d]`.
    public func callAsFunction(anchors: Tensor, positives: Tensor, negatives: Tensor) -> Tensor {
        ensure(anchors.rank == 2 && positives.shape == anchors.shape && negatives.shape == anchors.shape,
                     "TripletMarginLoss: anchors, positives and negatives must all be [N, d], got \(anchors.shape), \(positives.shape), \(negatives.shape)")
        return reduced(positive: measure.pairedCloseness(anchors, positives), negative: measure.pairedCloseness(anchors, negatives))
    }

    /// The loss over the triplets `miner` picks from `embeddings` (`[N, d]`) with `labels` (`N`).
    /// The pairwise matrix is computed once; the miner reads its values, the loss its entries.
    public func callAsFunction(embeddings: Tensor, labels: [Int], miner: any TripletMiner = TripletMarginMiner()) -> Tensor {
        ensure(embeddings.rank == 2 && embeddings.shape[0] == labels.count,
                     "TripletMarginLoss: embeddings must be [N, d] with N labels, got \(embeddings.shape) and \(labels.count) labels")
        let n = labels.count
        let closeness = measure.pairwiseCloseness(embeddings, embeddings)
        let triplets = miner.mine(closeness: closeness.scalars, labels: labels)
        let flat = closeness.reshaped([n * n])
        return reduced(positive: flat.indexSelect(axis: 0, triplets.map { $0.anchor * n + $0.positive }),
                       negative: flat.indexSelect(axis: 0, triplets.map { $0.anchor * n + $0.negative }))
    }

    private func reduced(positive: Tensor, negative: Tensor) -> Tensor {
        reducer.reduce((negative - positive + margin).relu())
    }
}
