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

    /// PyTorch's default for `nn.Conv2d` and `nn.Linear` (`kaiming_uniform_` with `a = √5`, and the
    /// bias alike): uniform in `±1/√fanIn`.
    public static func fanInUniform(_ shape: [Int], fanIn: Int, generator: inout RandomGenerator) -> Tensor {
        let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
    }

    /// He (Kaiming) normal initialisation for layers followed by ReLU: normal(0, √(2/fan)), where
    /// `fan` is the fan-out (`outputChannels · kh · kw`) as torchvision's ResNets use, or the fan-in.
    public static func kaimingNormal(_ shape: [Int], fan: Int, generator: inout RandomGenerator) -> Tensor {
        normal(shape, std: (2 / Float(Swift.max(fan, 1))).squareRoot(), generator: &generator)
    }
}

