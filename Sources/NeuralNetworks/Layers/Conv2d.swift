import Tensors

/// A 2-D convolution over NCHW images with PyTorch's `nn.Conv2d` layout: `weight`
/// `[outputChannels, inputChannels, kernel, kernel]` and, unless `bias: false`, `bias` `[outputChannels]`.
///
/// ```swift
/// var g = RandomGenerator(seed: 0)
/// let conv = Conv2d(inputChannels: 3, outputChannels: 16, kernel: 3, padding: 1, bias: false, generator: &g)
/// let y = conv(images)   // [N, 3, 32, 32] → [N, 16, 32, 32]
/// ```
public final class Conv2d: Module {
    /// `[outputChannels, inputChannels, kernel, kernel]`.
    public let weight: Tensor
    /// `[outputChannels]`, or `nil` (convolutions followed by BatchNorm need none).
    public let bias: Tensor?
    public let stride: Int, padding: Int

    /// A layer initialised as PyTorch's default (uniform in `±1/√fanIn`, `fanIn = inputChannels·kernel²`),
    /// or, with `kaimingFanOut`, as torchvision's ResNets (normal with std `√(2/(outputChannels·kernel²))`, bias zero).
    public init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
                kaimingFanOut: Bool = false, generator: inout RandomGenerator) {
        ensure(inputChannels > 0 && outputChannels > 0 && kernel > 0,
               "Conv2d: channels \(inputChannels) → \(outputChannels) and kernel \(kernel) must be positive")
        let shape = [outputChannels, inputChannels, kernel, kernel]
        let fanIn = inputChannels * kernel * kernel
        weight = kaimingFanOut
            ? Initialization.kaimingNormal(shape, fan: outputChannels * kernel * kernel, generator: &generator)
            : Initialization.fanInUniform(shape, fanIn: fanIn, generator: &generator)
        self.bias = !bias ? nil
            : kaimingFanOut ? Tensor.zeros([outputChannels]) : Initialization.fanInUniform([outputChannels], fanIn: fanIn, generator: &generator)
        self.stride = stride
        self.padding = padding
        super.init()
        register(parameter: weight, as: "weight")
        if let b = self.bias { register(parameter: b, as: "bias") }
    }

    public var inputChannels: Int { weight.shape[1] }
    public var outputChannels: Int { weight.shape[0] }
    public var kernel: Int { weight.shape[2] }

    /// Convolves `x` `[N, inputChannels, H, W]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
