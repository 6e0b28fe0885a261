import Tensors

/// The mean of all losses, zeros included (FaceNet's triplet loss, batch-hard). An empty set of
/// losses gives 0, still connected to the graph so `backward()` works.
public struct MeanReducer: Reducer {
    /// Creates the reducer.
    public init() {}

    /// `mean(losses)`, or 0 when there are none.
    public func reduce(_ losses: Tensor) -> Tensor {
        losses.count == 0 ? losses.sum() : losses.mean()
    }
}
