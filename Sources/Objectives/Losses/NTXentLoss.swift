import Tensors

/// SimCLR's NT-Xent (normalized temperature-scaled cross-entropy, Chen et al. 2020): two views of
/// each of `N` images give `2N` embeddings; each view's positive is its partner view and its
/// negatives are the other `2N - 2` views, itself excluded. The loss is the mean over all `2N`
/// anchors.
///
/// InfoNCE cannot express it (its candidate set would contain the anchor itself), but it is exactly
/// supervised contrastive loss with one label per image, so it is computed by
/// ``SupervisedContrastiveLoss`` with labels `[0..<N, 0..<N]`.
///
/// ```swift
/// let ntXent = NTXentLoss(temperature: .fixed(0.5))
/// let loss = ntXent(z1, z2)   // z1, z2: [N, d], row i of each is a view of image i
/// ```
public struct NTXentLoss {
    /// The underlying loss: cosine similarity and the temperature.
    public var contrastive: SupervisedContrastiveLoss

    /// Creates the loss (default temperature 0.5, SimCLR's for small batches).
    public init(similarity: any PairwiseMeasure = CosineSimilarity(), temperature: Temperature = .fixed(0.5)) {
        contrastive = SupervisedContrastiveLoss(similarity: similarity, temperature: temperature)
    }

    /// The mean loss over the `2N` views of `first` and `second` (`[N, d]` each).
    public func callAsFunction(_ first: Tensor, _ second: Tensor) -> Tensor {
        ensure(first.rank == 2 && first.shape == second.shape && first.shape[0] > 0,
               "NTXentLoss: views must both be [N, d] with N > 0, got \(first.shape) and \(second.shape)")
        let labels = Array(0..<first.shape[0])
        return contrastive(Tensor.concat([first, second], axis: 0), labels: labels + labels)
    }
}
