import Foundation
import Models
import Tensors
import Vision

/// The settings of an image training run (`contrast train simclr|moco`), written to the run
/// folder's `training_config.json`. Defaults suit a short CPU run on 28x28 images; each method's
/// documentation (docs/methods/) says where its values come from.
public struct ImageTrainingConfiguration: Sendable, Equatable, CommonSettings {
    /// `simclr` or `moco`.
    public var method: String = "simclr"
    /// The images: `fashion-mnist`, `shapes` or a caption file (``ImageDataset``).
    public var dataset: String = "fashion-mnist"
    public var epochs: Int = 1
    public var maxSteps: Int?
    /// Images per step and process (each gives two views).
    public var batchSize: Int = 256
    /// AdamW's peak learning rate, warmed up linearly then decayed on a cosine to 0. 3e-3: a run
    /// of one epoch learns more at it than at 1e-3 (SimCLR probe after 100 steps 0.839 vs 0.828).
    public var learningRate: Float = 3e-3
    public var warmupSteps: Int = 10
    /// AdamW's decoupled weight decay on weight matrices and convolution kernels.
    public var weightDecay: Float = 1e-4
    /// The loss's softmax temperature: 0.2, MoCo v2's, also for SimCLR (probe after 100 steps
    /// 0.839 vs 0.828 at SimCLR's CIFAR setting 0.5).
    public var temperature: Float = 0.2
    /// Encoder shape: a ``ResNetConfiguration/Preset`` name. ResNet-8 with its last two stages
    /// widened (256 pooled features): linear probes on narrower pooled features underfit (their
    /// training accuracy is about their test accuracy), and one epoch of it still fits the
    /// 15-minute budget of a default run (about 4 CPU-seconds a step).
    public var encoder: ResNetConfiguration.Preset = .resnet8wide
    public var hiddenSize: Int = 512
    public var projectionSize: Int = 128
    /// MoCo only: key-encoder momentum and queue length.
    public var momentum: Float = 0.99
    public var queueSize: Int = 4096
    /// The views' augmentations: `simclr` (crop, flip, colour jitter, grayscale, blur) or
    /// `no-blur` (the same without blur, which mostly erases a 28-pixel image's detail).
    public var augmentation: ImageAugmentation = .noBlur
    public var seed: UInt64 = 0
    public var checkpointEvery: Int?
    public var checkpointMinutes: Double? = 10
    /// Global gradient-norm clipping; `nil` (the default, as SimCLR's and MoCo's code) disables it.
    public var maxGradientNorm: Float?
    public var skipNonFinite = false
    /// Precision of matrix products (convolutions stay fp32).
    public var precision: MatmulPrecision = .fp32

    public init() {}

    /// How the trainer runs the steps (no gradient caching: BatchNorm would see chunks).
    public var trainer: TrainerSettings { trainer() }

    /// The augmentations `augmentation` names, for images of `size x size`.
    public func pipeline(size: Int) -> ImagePipeline { .simCLR(size: size, blur: augmentation == .simclr) }

    /// The encoder shape `encoder` names, for images of `channels` channels.
    public func encoderShape(channels: Int) -> ResNetConfiguration { ResNetConfiguration(preset: encoder, channels: channels) }

    /// The method `method` names, randomly initialised from `seed`.
    public func makeMethod(channels: Int) throws -> any ImageMethod {
        let shape = encoderShape(channels: channels)
        switch method {
        case "simclr": return SimCLR(shape: shape, hiddenSize: hiddenSize, projectionSize: projectionSize, temperature: temperature, seed: seed)
        case "moco": return MoCo(shape: shape, hiddenSize: hiddenSize, projectionSize: projectionSize, temperature: temperature,
                                 momentum: momentum, queueSize: queueSize, seed: seed)
        default: throw TrainingError.invalidSetup("unknown image method '\(method)' (known: simclr, moco)")
        }
    }

    public var settings: [Setting<Self>] {
        var list: [Setting<Self>] = [
            Setting("dataset", \.dataset, "Images to train on: fashion-mnist (training split, labels unused), shapes (generated 32x32 scenes), "
                    + "or a caption file (TSV/JSONL/CSV of image paths; captions unused).", valueName: "name|path"),
            Setting("epochs", \.epochs, "Passes over the images.", changeableOnResume: true)] + Self.commonSettings + [
            Setting("warmup-steps", \.warmupSteps, "Linear warm-up steps before the cosine decay."),
            Setting("temperature", \.temperature, "Softmax temperature of the loss."),
            Setting("encoder", \.encoder, "The ResNet encoder."),
            Setting("hidden-size", \.hiddenSize, "Width of the projection head's hidden layer."),
            Setting("projection-size", \.projectionSize, "Width of the projections the loss compares."),
            Setting("augment", \.augmentation, "Augmentations: simclr (crop, flip, colour jitter, grayscale, blur) or no-blur.")]
        if method == "moco" {
            list += [Setting("momentum", \.momentum, "Momentum of the key encoder."), Setting("queue-size", \.queueSize, "Keys kept as negatives.")]
        }
        return list
    }

    /// What is wrong with the settings (empty when they are usable).
    public var problems: [String] {
        var found = commonProblems
        if epochs < 1 { found.append("epochs must be at least 1") }
        if warmupSteps < 0 { found.append("warmup-steps must not be negative") }
        if !(temperature > 0) { found.append("temperature must be positive") }
        if hiddenSize < 1 || projectionSize < 1 { found.append("hidden-size and projection-size must be positive") }
        if !(0...1).contains(momentum) { found.append("momentum must be in [0, 1]") }
        if queueSize < 1 { found.append("queue-size must be positive") }
        return found
    }
}

/// The augmentations that make an image method's two views.
public enum ImageAugmentation: String, Sendable, CaseIterable, SettingChoice {
    /// SimCLR's: crop, flip, colour jitter, grayscale, blur.
    case simclr
    /// The same without blur.
    case noBlur = "no-blur"
}

extension ResNetConfiguration.Preset: SettingChoice {}
