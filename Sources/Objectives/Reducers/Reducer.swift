import Tensors

/// Turns per-element losses (one per triplet, anchor or pair) into the scalar that is
/// back-propagated, as pytorch-metric-learning's reducers.
///
/// ```swift
/// let loss = TripletMarginLoss(margin: 0.2, reducer: NonZeroMeanReducer())
/// ```
public protocol Reducer: Sendable {
    /// The scalar loss from a one-dimensional tensor of losses (possibly empty).
    func reduce(_ losses: Tensor) -> Tensor
}
