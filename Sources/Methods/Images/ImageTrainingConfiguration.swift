import Foundation
import Models
import Tensors
import Vision

/// The settings of an image training run (`contrast train simclr|moco`), written to the run
/// folder's `training_config.json`. Defaults suit a short CPU run on 28x28 images; each method's
/// documentation (docs/methods/) says where its values come from.
public struct ImageTrainingConfiguration: Codable, Sendable, Equatable {
    /// `simclr` or `moco`.
    public var method: String = "simclr"
    /// The dataset's name or file, for the record.
    public var dataset: String = ""
    public var epochs: Int = 1
    /// Stops after this many steps when set (before the end of `epochs`).
    public var maxSteps: Int?
    /// Images per step (each gives two views).
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
    public var encoder: String = ResNetConfiguration.Preset.resnet8wide.rawValue
    public var hiddenSize: Int = 512
    public var projectionSize: Int = 128
    /// MoCo only: key-encoder momentum and queue length.
    public var momentum: Float = 0.99
    public var queueSize: Int = 4096
    /// The views' augmentations: `simclr` (crop, flip, colour jitter, grayscale, blur) or
    /// `no-blur` (the same without blur, which mostly erases a 28-pixel image's detail).
    public var augmentation: String = "no-blur"
    public var seed: UInt64 = 0
    /// Write a resumable checkpoint every N steps; `nil`: by time only.
    public var checkpointEvery: Int?
    /// Write a resumable checkpoint when this many minutes have passed since the last one;
    /// `nil`: by steps only. A run stopped by SIGINT or SIGTERM writes one either way.
    public var checkpointMinutes: Double? = 10

    /// Global gradient-norm clipping; `nil` (the default, as SimCLR's and MoCo's code) disables it.
    public var maxGradientNorm: Float?
    /// Stop with an error on a non-finite loss or gradient (`false`: skip the step and count it).
    public var stopOnNonFinite = true
    /// Precision of matrix products (convolutions stay fp32).
    public var precision: MatmulPrecision = .fp32

    public init() {}

    /// How the trainer runs the steps (no gradient caching: BatchNorm would see chunks).
    public var trainer: TrainerSettings {
        TrainerSettings(seed: seed, maxGradientNorm: maxGradientNorm, stopOnNonFinite: stopOnNonFinite, precision: precision,
                        checkpointEvery: checkpointEvery, checkpointMinutes: checkpointMinutes)
    }

    /// The augmentations `augmentation` names, for images of `size x size`.
    public func pipeline(size: Int) -> ImagePipeline { .simCLR(size: size, blur: augmentation == "simclr") }

    /// The encoder shape `encoder` names, for images of `channels` channels.
    public func encoderShape(channels: Int) -> ResNetConfiguration {
        ResNetConfiguration(preset: ResNetConfiguration.Preset(rawValue: encoder) ?? .resnet8wide, channels: channels)
    }

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

    /// What is wrong with the settings (empty when they are usable).
    public var problems: [String] {
        var found: [String] = []
        if epochs < 1 { found.append("epochs must be at least 1") }
        if let maxSteps, maxSteps < 1 { found.append("max steps must be at least 1") }
        if batchSize < 2 { found.append("batch size must be at least 2 (BatchNorm and negatives need two images)") }
        if !(learningRate > 0) { found.append("learning rate must be positive") }
        if warmupSteps < 0 || weightDecay < 0 { found.append("warm-up steps and weight decay must not be negative") }
        if !(temperature > 0) { found.append("temperature must be positive") }
        if ResNetConfiguration.Preset(rawValue: encoder) == nil {
            found.append("unknown encoder '\(encoder)' (known: \(ResNetConfiguration.Preset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if hiddenSize < 1 || projectionSize < 1 { found.append("head sizes must be positive") }
        if !(0...1).contains(momentum) { found.append("momentum must be in [0, 1]") }
        if queueSize < 1 { found.append("queue size must be positive") }
        if let checkpointEvery, checkpointEvery < 1 { found.append("checkpoint-every must be at least 1") }
        if let m = checkpointMinutes, !(m > 0 && m.isFinite) { found.append("checkpoint-minutes must be positive") }
        if let g = maxGradientNorm, !(g > 0) { found.append("max gradient norm must be positive") }
        if !["simclr", "no-blur"].contains(augmentation) { found.append("unknown augmentation '\(augmentation)' (known: simclr, no-blur)") }
        return found
    }
}

extension ImageTrainingConfiguration: RunSettings {
    public static let changeableOnResume: Set<String> = ["epochs", "maxSteps", "checkpointEvery", "checkpointMinutes"]
}
