import NeuralNetworks
import Tensors

/// A residual block of two 3x3 convolutions, named as torchvision's `BasicBlock`: `conv1`, `bn1`,
/// `conv2`, `bn2`, and `downsample.0` (1x1 convolution) / `downsample.1` (BatchNorm) when the
/// block changes resolution or width.
///
/// `y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
public final class BasicBlock: Module {
    public let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
    /// The projection shortcut, or `nil` for the identity.
    public let downsample: (conv: Conv2d, norm: BatchNorm)?

    public init(inputChannels: Int, outputChannels: Int, stride: Int, zeroInitializeResidual: Bool, generator: inout RandomGenerator) {
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernel: 3, stride: stride, padding: 1, bias: false,
                       kaimingFanOut: true, generator: &generator)
        bn1 = BatchNorm(features: outputChannels)
        conv2 = Conv2d(inputChannels: outputChannels, outputChannels: outputChannels, kernel: 3, padding: 1, bias: false,
                       kaimingFanOut: true, generator: &generator)
        bn2 = BatchNorm(features: outputChannels)
        if zeroInitializeResidual { bn2.weight!.assign(Tensor.zeros([outputChannels])) }
        downsample = stride == 1 && inputChannels == outputChannels ? nil : (
            Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernel: 1, stride: stride, bias: false,
                   kaimingFanOut: true, generator: &generator),
            BatchNorm(features: outputChannels))
        super.init()
        register(child: conv1, as: "conv1")
        register(child: bn1, as: "bn1")
        register(child: conv2, as: "conv2")
        register(child: bn2, as: "bn2")
        if let downsample {
            let shortcut = Module()
            shortcut.register(child: downsample.conv, as: "0")
            shortcut.register(child: downsample.norm, as: "1")
            register(child: shortcut, as: "downsample")
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let branch = bn2(conv2(bn1(conv1(x)).relu()))
        let shortcut = downsample.map { $0.norm($0.conv(x)) } ?? x
        return (branch + shortcut).relu()
    }
}

/// A ResNet of basic blocks with torchvision's names (`conv1`, `bn1`, `layer1.0.conv1`, …), without
/// the classifier: it returns the globally average-pooled features of the last stage, the
/// representation contrastive methods (SimCLR, MoCo) put a projection head on.
///
/// ```swift
/// var g = RandomGenerator(seed: 0)
/// let resnet = ResNet(ResNetConfiguration(preset: .resnet8, channels: 1), generator: &g)
/// let features = resnet(images)   // [N, 1, 28, 28] → [N, 64]
/// ```
public final class ResNet: Module {
    public let configuration: ResNetConfiguration
    public let conv1: Conv2d
    public let bn1: BatchNorm
    /// The blocks of each stage.
    public let stages: [[BasicBlock]]

    public init(_ c: ResNetConfiguration, generator: inout RandomGenerator) {
        configuration = c
        let stemWidth = c.widths[0]
        conv1 = c.stem == .cifar
            ? Conv2d(inputChannels: c.channels, outputChannels: stemWidth, kernel: 3, padding: 1, bias: false, kaimingFanOut: true, generator: &generator)
            : Conv2d(inputChannels: c.channels, outputChannels: stemWidth, kernel: 7, stride: 2, padding: 3, bias: false, kaimingFanOut: true, generator: &generator)
        bn1 = BatchNorm(features: stemWidth)
        var stages: [[BasicBlock]] = []
        var width = stemWidth
        for (index, (stageWidth, count)) in zip(c.widths, c.blocks).enumerated() {
            stages.append((0..<count).map { block in
                BasicBlock(inputChannels: block == 0 ? width : stageWidth, outputChannels: stageWidth,
                           stride: block == 0 && index > 0 ? 2 : 1, zeroInitializeResidual: c.zeroInitializeResidual, generator: &generator)
            })
            width = stageWidth
        }
        self.stages = stages
        super.init()
        register(child: conv1, as: "conv1")
        register(child: bn1, as: "bn1")
        for (index, blocks) in stages.enumerated() { register(children: blocks, as: "layer\(index + 1)") }
    }

    /// The width of the pooled features.
    public var featureSize: Int { configuration.featureSize }

    /// The last stage's feature maps `[N, featureSize, h, w]` of `images` `[N, channels, H, W]`.
    public func featureMaps(_ images: Tensor) -> Tensor {
        ensure(images.rank == 4 && images.shape[1] == configuration.channels,
               "ResNet: images \(images.shape) must be [batch, \(configuration.channels), height, width]")
        var h = bn1(conv1(images)).relu()
        if configuration.stem == .imagenet { h = h.maxPool2d(kernel: 3, stride: 2, padding: 1) }
        for blocks in stages { for block in blocks { h = block(h) } }
        return h
    }

    /// The globally average-pooled features `[N, featureSize]` of `images`.
    public func callAsFunction(_ images: Tensor) -> Tensor { featureMaps(images).globalAveragePooled() }
}
