import Tensors

/// Hugging Face BERT's initialisation (`BertPreTrainedModel._init_weights`): weights of linear
/// and embedding layers drawn from a normal distribution with standard deviation 0.02
/// (`initializer_range`), biases zero, LayerNorm weight one and bias zero.
public enum Initialization {
    /// BERT's `initializer_range`.
    public static let bertStandardDeviation: Float = 0.02

    /// A normal(0, `std`) weight of `shape` drawn from `generator`.
    ///
    /// ```swift
    /// var g = RandomGenerator(seed: 0)
    /// let w = Initialization.normal([4, 3], generator: &g)
    /// ```
    public static func normal(_ shape: [Int], std: Float = bertStandardDeviation, generator: inout RandomGenerator) -> Tensor {
        Tensor.normal(shape, mean: 0, std: std, generator: &generator)
    }
}
