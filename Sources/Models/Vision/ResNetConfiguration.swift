import Tensors

/// The shape of a ResNet of basic blocks (He et al.): input channels, stem, and the width and
/// number of blocks of each stage. Stage 1 keeps the stem's resolution; each later stage halves it.
public struct ResNetConfiguration: Sendable, Equatable {
    /// How the network first processes the image.
    public enum Stem: String, Sendable, CaseIterable {
        /// A 3x3 convolution at full resolution, no max pooling (CIFAR ResNets; for 28-32 px inputs).
        case cifar
        /// A 7x7 convolution of stride 2 and a 3x3 max pool of stride 2 (ImageNet ResNets; for 64 px and more).
        case imagenet
    }

    /// Input channels: 1 for grayscale, 3 for RGB.
    public var channels: Int
    public var stem: Stem
    /// Output channels of each stage (the stem outputs `widths[0]`).
    public var widths: [Int]
    /// Basic blocks per stage.
    public var blocks: [Int]
    /// Starts the last BatchNorm of every residual branch at weight 0, so each block begins as the
    /// identity (Goyal et al.); helps short trainings with large batches.
    public var zeroInitializeResidual: Bool

    public init(channels: Int, stem: Stem = .cifar, widths: [Int], blocks: [Int], zeroInitializeResidual: Bool = false) {
        ensure(channels > 0 && !widths.isEmpty && widths.count == blocks.count && widths.allSatisfy { $0 > 0 } && blocks.allSatisfy { $0 > 0 },
               "ResNetConfiguration: \(channels) channels, widths \(widths) and blocks \(blocks) must be positive and as many")
        self.channels = channels
        self.stem = stem
        self.widths = widths
        self.blocks = blocks
        self.zeroInitializeResidual = zeroInitializeResidual
    }

    /// Named shapes for small images on a CPU.
    public enum Preset: String, Sendable, CaseIterable {
        /// CIFAR stem, stages 16-32-64 of one block each (8 weighted layers with the stem and shortcuts): the fast default.
        case resnet8
        /// ResNet-8 twice as wide: stages 32-64-128 (128 features), about 4x its compute.
        case resnet8x2
        /// ResNet-8 with only the last two stages widened: 16-64-256 (256 features); the
        /// full-resolution first stage stays narrow, so it costs less than `resnet8x2` per feature.
        case resnet8wide
        /// CIFAR stem, stages 16-32-64 of three blocks each (He et al.'s CIFAR ResNet-20).
        case resnet20
        /// CIFAR stem, stages 64-128-256-512 of two blocks each (ResNet-18 as SimCLR's CIFAR experiments adapt it).
        case resnet18
    }

    /// The configuration of a preset for images of `channels` channels.
    public init(preset: Preset, channels: Int) {
        switch preset {
        case .resnet8: self.init(channels: channels, widths: [16, 32, 64], blocks: [1, 1, 1])
        case .resnet8x2: self.init(channels: channels, widths: [32, 64, 128], blocks: [1, 1, 1])
        case .resnet8wide: self.init(channels: channels, widths: [16, 64, 256], blocks: [1, 1, 1])
        case .resnet20: self.init(channels: channels, widths: [16, 32, 64], blocks: [3, 3, 3])
        case .resnet18: self.init(channels: channels, widths: [64, 128, 256, 512], blocks: [2, 2, 2, 2])
        }
    }

    /// The width of the pooled features: the last stage's.
    public var featureSize: Int { widths[widths.count - 1] }
}
