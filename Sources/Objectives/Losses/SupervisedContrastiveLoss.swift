import Tensors

/// Supervised contrastive loss (Khosla et al. 2020, `L_out`): every other sample with the anchor's
/// label is a positive, every other sample is in the denominator (the anchor itself is not), and
/// anchors without a positive are left out of the mean.
///
/// This is multi-positive InfoNCE of a batch against itself with the self-pairs excluded, and
/// shares its cross-entropy. Views go in as extra rows with repeated labels:
/// ```swift
/// let supcon = SupervisedContrastiveLoss(temperature: .fixed(0.1))
/// let loss = supcon(Tensor.concat([view1, view2]), labels: labels + labels)
/// ```
public struct SupervisedContrastiveLoss {
    /// How samples are compared (default: cosine).
    public var similarity: any PairwiseMeasure
    /// How similarities become logits.
    public var temperature: Temperature

    /// Creates the loss.
    public init(similarity: any PairwiseMeasure = CosineSimilarity(), temperature: Temperature = .fixed(0.1)) {
        self.similarity = similarity
        self.temperature = temperature
    }

    /// The loss of `embeddings` (`[N, d]`) with one label per row.
    public func callAsFunction(_ embeddings: Tensor, labels: [Int]) -> Tensor {
        ensure(embeddings.rank == 2 && embeddings.shape[0] == labels.count,
                     "SupervisedContrastiveLoss: embeddings must be [N, d] with N labels, got \(embeddings.shape) and \(labels.count) labels")
        let n = labels.count
        let logits = temperature.apply(to: similarity.pairwiseCloseness(embeddings, embeddings))
            .maskedFill(Tensor.mask(rows: n, columns: n) { $0 == $1 }, excludedLogit)
        return ContrastiveCrossEntropy.multiPositive(logits, smoothing: 0) { i, j in i != j && labels[i] == labels[j] }
    }
}
