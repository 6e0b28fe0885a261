import Foundation
import NeuralNetworks
import Tensors
import Vision

/// The description of a trained image encoder in its folder's `config.json`: the architecture, the
/// method that trained it, and how its input images are prepared.
///
/// ```json
/// {"architecture": "resnet", "method": "simclr", "channels": 1, "image_size": 28, "stem": "cifar",
///  "widths": [16, 32, 64], "blocks": [1, 1, 1], "normalization": {"mean": [0.286], "std": [0.353]}}
/// ```
public struct ImageModelConfiguration: Codable, Sendable, Equatable {
    /// The only architecture so far: a ``ResNet`` of basic blocks.
    public static let resnet = "resnet"

    public var architecture: String
    /// The training method (`simclr`, `moco`), for the record.
    public var method: String
    public var channels: Int
    /// Images are resized or cropped to `imageSize x imageSize` before encoding.
    public var imageSize: Int
    public var stem: String
    public var widths: [Int]
    public var blocks: [Int]
    public var normalization: ChannelNormalization

    enum CodingKeys: String, CodingKey {
        case architecture, method, channels, stem, widths, blocks, normalization
        case imageSize = "image_size"
    }

    /// The configuration of `resnet` trained by `method` on `imageSize` images normalised by `normalization`.
    public init(resnet: ResNetConfiguration, method: String, imageSize: Int, normalization: ChannelNormalization) {
        architecture = Self.resnet
        self.method = method
        channels = resnet.channels
        self.imageSize = imageSize
        stem = resnet.stem.rawValue
        widths = resnet.widths
        blocks = resnet.blocks
        self.normalization = normalization
    }

    /// The ResNet shape, or a description of what is wrong with the stored one.
    func resnetConfiguration() -> Result<ResNetConfiguration, ImageModelError.Problem> {
        guard architecture == Self.resnet else { return .failure(.init("unknown architecture '\(architecture)' (known: resnet)")) }
        guard let stem = ResNetConfiguration.Stem(rawValue: stem) else { return .failure(.init("unknown stem '\(stem)'")) }
        guard channels > 0, imageSize > 0, !widths.isEmpty, widths.count == blocks.count,
              (widths + blocks).allSatisfy({ $0 > 0 }) else {
            return .failure(.init("channels \(channels), image_size \(imageSize), widths \(widths) and blocks \(blocks) must be positive and widths and blocks as many"))
        }
        guard normalization.mean.count == channels, normalization.std.count == channels, normalization.std.allSatisfy({ $0 > 0 }) else {
            return .failure(.init("normalization must have \(channels) means and positive deviations"))
        }
        return .success(ResNetConfiguration(channels: channels, stem: stem, widths: widths, blocks: blocks))
    }
}

/// A problem with an image model folder; the description is one line naming the folder.
public struct ImageModelError: Error, CustomStringConvertible, Equatable {
    public struct Problem: Error { let text: String; init(_ text: String) { self.text = text } }
    public let description: String
}

/// A trained image encoder: its configuration and network, saved as a folder of `config.json` and
/// `model.safetensors` (the encoder's parameters and BatchNorm buffers, without the projection
/// head: the representation evaluations probe is the encoder's, as in SimCLR and MoCo).
///
/// ```swift
/// let model = try ImageModel(directory: URL(fileURLWithPath: "runs/simclr"))
/// let features = model.features(of: images)   // [N, model.featureSize]
/// ```
public final class ImageModel {
    public static let configurationFileName = "config.json"
    public static let weightsFileName = "model.safetensors"

    public let configuration: ImageModelConfiguration
    public let encoder: ResNet

    /// Wraps a trained `encoder` described by `configuration`.
    public init(configuration: ImageModelConfiguration, encoder: ResNet) {
        self.configuration = configuration
        self.encoder = encoder
    }

    /// Loads the folder written by ``save(to:)``.
    /// - Throws: ``ImageModelError`` naming the folder and the problem: a missing or unreadable
    ///   file, an unknown architecture, or weights that do not fit the configuration.
    public convenience init(directory: URL) throws {
        func failure(_ text: String) -> ImageModelError { ImageModelError(description: "\(directory.path): \(text)") }
        do { try ModelFolderKind.require(.imageEncoder, in: directory) } catch { throw ImageModelError(description: error.description) }
        let configURL = directory.appendingPathComponent(Self.configurationFileName)
        guard let data = try? Data(contentsOf: configURL) else { throw failure("no readable \(Self.configurationFileName) (not an image model folder)") }
        let configuration: ImageModelConfiguration
        do { configuration = try JSONDecoder().decode(ImageModelConfiguration.self, from: data) } catch {
            throw failure("\(Self.configurationFileName) is not an image model configuration")
        }
        let shape: ResNetConfiguration
        switch configuration.resnetConfiguration() {
        case .success(let s): shape = s
        case .failure(let problem): throw failure("\(Self.configurationFileName): \(problem.text)")
        }
        var generator = RandomGenerator(seed: 0)
        let encoder = ResNet(shape, generator: &generator)
        let weights = directory.appendingPathComponent(Self.weightsFileName)
        do {
            try encoder.load(stateDict: SafeTensorsFile(path: weights.path).allTensors())
        } catch {
            throw failure("\(Self.weightsFileName): \(String(describing: error).replacingOccurrences(of: "\n", with: " "))")
        }
        encoder.eval()
        self.init(configuration: configuration, encoder: encoder)
    }

    /// The untrained control of a linear evaluation: a randomly initialised encoder of the same
    /// shape and preprocessing as `configuration`, its BatchNorm running statistics estimated on
    /// `images` (a fresh encoder's are 0 and 1, which no data has).
    ///
    /// The statistics come from `batches` forward passes in training mode (no gradient) over
    /// consecutive batches of `images`; BatchNorm's momentum of 0.1 leaves `0.9^batches` of the
    /// initial values (under 1% after 50).
    public static func untrained(like configuration: ImageModelConfiguration, calibratedOn images: [Image], seed: UInt64 = 0,
                                 batches: Int = 50, batchSize: Int = 256) throws -> ImageModel {
        guard case .success(let shape) = configuration.resnetConfiguration() else {
            throw ImageModelError(description: "untrained control: the configuration does not describe a ResNet")
        }
        ensure(!images.isEmpty && batches > 0 && batchSize > 1, "ImageModel.untrained: \(images.count) images, \(batches) batches of \(batchSize)")
        var generator = RandomGenerator(seed: seed)
        let model = ImageModel(configuration: configuration, encoder: ResNet(shape, generator: &generator))
        model.encoder.train()
        for batch in 0..<batches {
            let start = (batch * batchSize) % images.count
            _ = withoutGradient { model.encoder(model.prepared(Array(images[start..<min(start + batchSize, images.count)]))) }
        }
        model.encoder.eval()
        return model
    }

    /// Writes `config.json` and `model.safetensors` into `directory` (created if needed).
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(configuration).write(to: directory.appendingPathComponent(Self.configurationFileName))
        try SafeTensors.write(self.encoder.stateDict(), metadata: ["method": configuration.method],
                              to: directory.appendingPathComponent(Self.weightsFileName).path)
    }

    public var featureSize: Int { encoder.featureSize }

    /// The encoder's pooled features `[N, featureSize]` of `images` (evaluation mode, no gradient),
    /// encoded `batchSize` at a time; images are centre-cropped and resized to the model's size.
    /// With `spatial`, the last stage's feature maps flattened instead of pooled
    /// (`[N, featureSize · h · w]`): the linear evaluation of conv feature maps of earlier
    /// self-supervised work, which keeps where things are.
    public func features(of images: [Image], spatial: Bool = false, batchSize: Int = 256) -> Tensor {
        let wasTraining = encoder.isTraining
        encoder.eval()
        defer { encoder.train(wasTraining) }
        let blocks = stride(from: 0, to: images.count, by: batchSize).map { start in
            withoutGradient {
                let batch = Array(images[start..<min(start + batchSize, images.count)])
                let x = prepared(batch)
                guard spatial else { return encoder(x) }
                let maps = encoder.featureMaps(x)
                return maps.reshaped([batch.count, maps.count / batch.count])
            }
        }
        return Tensor.concat(blocks, axis: 0)
    }

    /// The encoder's input `[N, channels, size, size]` for `images`: centre-cropped and resized
    /// to the model's size, normalised as in training.
    func prepared(_ images: [Image]) -> Tensor {
        let size = configuration.imageSize
        return Tensor(images: images.map { $0.height == size && $0.width == size ? $0 : $0.centeredSquare(size: size) },
                      normalization: configuration.normalization)
    }
}
