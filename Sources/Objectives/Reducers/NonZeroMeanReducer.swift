import Tensors

/// The mean over the losses that are positive (pytorch-metric-learning's `AvgNonZeroReducer`):
/// with many already-satisfied triplets, a plain mean shrinks the gradient towards zero.
public struct NonZeroMeanReducer: Reducer {
    /// Creates the reducer.
    public init() {}

    /// `Σ losses / #{losses > 0}`, or 0 when none is positive.
    public func reduce(_ losses: Tensor) -> Tensor {
        let positive = losses.scalars.filter { $0 > 0 }.count
        return losses.sum() / Float(Swift.max(positive, 1))
    }
}
