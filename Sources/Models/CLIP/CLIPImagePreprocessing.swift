import Foundation
import Tensors
import Vision

/// How images become CLIP's pixel tensor, read from the `preprocessor_config.json` of
/// transformers' `CLIPImageProcessor`, and applied as its PIL backend (`CLIPImageProcessorPil`,
/// which OpenAI's own pipeline matches): convert to RGB, resize (bicubic, as Pillow does on 8-bit
/// images), crop the centre, rescale the bytes, normalise each channel.
///
/// ```swift
/// let preprocessing = try CLIPImagePreprocessing(directory: folder, imageSize: clip.configuration.vision.imageSize)
/// let pixels = preprocessing(images)   // [N, 3, 224, 224]
/// ```
public struct CLIPImagePreprocessing: Sendable, Equatable {
    /// A size in pixels.
    public struct Size: Sendable, Equatable {
        public var height: Int
        public var width: Int

        /// A size of `height` rows and `width` columns.
        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }
    }

    /// What `do_resize` resizes images to.
    public enum Resize: Sendable, Equatable {
        /// The shorter side to this many pixels, the longer one in proportion, truncated
        /// (`size.shortest_edge`, or a bare number).
        case shortestEdge(Int)
        /// Exactly this size (`size.height`, `size.width`).
        case exact(Size)
    }

    /// `do_convert_rgb`: grayscale images get three channels.
    public var convertsToRGB: Bool
    /// `do_resize` and `size` (Pillow's bicubic filter, `resample` 3); `nil`: no resizing.
    public var resize: Resize?
    /// `do_center_crop` and `crop_size`; `nil`: no cropping.
    public var centerCrop: Size?
    /// `do_rescale` and `rescale_factor`: what each byte is multiplied by; `nil`: bytes stay 0...255.
    public var rescaleFactor: Float?
    /// `do_normalize`, `image_mean` and `image_std`; `nil`: no normalisation.
    public var normalization: ChannelNormalization?

    /// Settings as given; by default RGB, rescaled by 1/255 and normalised with CLIP's statistics.
    public init(convertsToRGB: Bool = true, resize: Resize?, centerCrop: Size?, rescaleFactor: Float? = 1 / 255,
                normalization: ChannelNormalization? = .openAICLIP) {
        self.convertsToRGB = convertsToRGB
        self.resize = resize
        self.centerCrop = centerCrop
        self.rescaleFactor = rescaleFactor
        self.normalization = normalization
    }

    /// CLIP's preprocessing for images of side `imageSize` (a vision configuration's
    /// `image_size`): transformers' `CLIPImageProcessor` defaults at that size.
    public init(imageSize: Int) {
        self.init(resize: .shortestEdge(imageSize), centerCrop: Size(height: imageSize, width: imageSize))
    }

    /// The pixel tensor `[N, channels, height, width]` of `images`, which must come out of the
    /// steps at one size (as a crop ensures).
    public func callAsFunction(_ images: [Image]) -> Tensor {
        Tensor(images: images.map(process), normalization: normalization)
    }

    /// One image through every step but the normalisation: its values are bytes times
    /// ``rescaleFactor``.
    public func process(_ image: Image) -> Image {
        var image = resized(image)
        if let crop = centerCrop { image = image.centerCropped(height: crop.height, width: crop.width) }
        let factor = rescaleFactor ?? 1
        // Bytes again (exactly so for decoded or resized images), scaled as transformers scales them.
        image.pixels = image.pixels.map { ($0 * 255).rounded() * factor }
        return image
    }

    /// The steps before the crop: RGB, then the resize. ``process(_:)`` makes of the result what
    /// it makes of `image` (the resize keeps a resized image's size, as Pillow returns a copy
    /// then), so a data set of large photos can be held resized.
    public func resized(_ image: Image) -> Image {
        let image = convertsToRGB ? image.rgb() : image
        switch resize {
        case .shortestEdge(let edge)?:
            // transformers' `get_resize_output_image_size(default_to_square=False)`.
            let (short, long) = (Swift.min(image.height, image.width), Swift.max(image.height, image.width))
            let scaled = Int(Double(edge * long) / Double(short))
            return image.width <= image.height ? image.resizedBicubic(height: scaled, width: edge) : image.resizedBicubic(height: edge, width: scaled)
        case .exact(let size)?:
            return image.resizedBicubic(height: size.height, width: size.width)
        case nil:
            return image
        }
    }

    /// The size every image comes out at: the crop's, or without one the exact resize's; `nil`
    /// when images keep their proportions (and a batch of them cannot be one tensor).
    public var outputSize: Size? {
        if let centerCrop { return centerCrop }
        if case .exact(let size)? = resize { return size }
        return nil
    }
}

// MARK: - preprocessor_config.json

extension CLIPImagePreprocessing {
    /// The file a Hugging Face CLIP folder keeps these settings in.
    public static let fileName = "preprocessor_config.json"

    /// Reads a `preprocessor_config.json`; absent fields take `CLIPImageProcessor`'s defaults
    /// (shortest edge and crop 224).
    public init(contentsOf url: URL) throws(ModelFileError) {
        let field = JSONObjectFile.Fields(object: try JSONObjectFile.read(url), file: url)
        let resample = try field.integer("resample", in: 0...5, default: 3)
        guard resample == 3 else { throw ModelFileError(url, "unsupported resample \(resample) (supported: 3, bicubic)") }
        var resize: Resize?
        if try field.optional("do_resize") ?? true {
            switch try Self.size(field, "size") {
            case .number(let edge)?: resize = .shortestEdge(edge)
            case .object(let size)?:
                if try size.optional("shortest_edge") as Int? != nil {
                    guard try size.optional("longest_edge") as Int? == nil else {
                        throw ModelFileError(url, "field 'size.longest_edge' is not supported (only shortest_edge, or height and width)")
                    }
                    resize = .shortestEdge(try size.positive("shortest_edge"))
                } else {
                    resize = .exact(Size(height: try size.positive("height"), width: try size.positive("width")))
                }
            case nil: resize = .shortestEdge(224)
            }
        }
        var crop: Size?
        if try field.optional("do_center_crop") ?? true {
            switch try Self.size(field, "crop_size") {
            case .number(let side)?: crop = Size(height: side, width: side)
            case .object(let size)?: crop = Size(height: try size.positive("height"), width: try size.positive("width"))
            case nil: crop = Size(height: 224, width: 224)
            }
        }
        var factor: Float?
        if try field.optional("do_rescale") ?? true {
            let value: Double = try field.optional("rescale_factor") ?? 1.0 / 255
            guard value.isFinite && value > 0 else { throw ModelFileError(url, "field 'rescale_factor' should be positive, found \(value)") }
            factor = Float(value)
        }
        var normalization: ChannelNormalization?
        if try field.optional("do_normalize") ?? true {
            let defaults = ChannelNormalization.openAICLIP
            let mean: [Double] = try field.optional("image_mean") ?? defaults.mean.map(Double.init)
            let std: [Double] = try field.optional("image_std") ?? defaults.std.map(Double.init)
            guard mean.count == 3 && std.count == 3 && std.allSatisfy({ $0 > 0 && $0.isFinite }) && mean.allSatisfy(\.isFinite) else {
                throw ModelFileError(url, "fields 'image_mean' and 'image_std' should hold 3 numbers each, deviations positive; found \(mean) and \(std)")
            }
            normalization = ChannelNormalization(mean: mean.map { Float($0) }, std: std.map { Float($0) })
        }
        self.init(convertsToRGB: try field.optional("do_convert_rgb") ?? true, resize: resize, centerCrop: crop,
                  rescaleFactor: factor, normalization: normalization)
    }

    /// The `preprocessor_config.json` of transformers' `CLIPImageProcessor` with these settings,
    /// which ``init(contentsOf:)`` reads back equal.
    public var jsonObject: [String: Any] {
        func size(_ size: Size) -> [String: Int] { ["height": size.height, "width": size.width] }
        // Single-precision values as their shortest decimals, and 1/255 as transformers writes it.
        func decimal(_ x: Float) -> Double { x == Float(1.0 / 255) ? 1.0 / 255 : Double("\(x)") ?? Double(x) }
        var object: [String: Any] = [
            "image_processor_type": "CLIPImageProcessor", "do_convert_rgb": convertsToRGB, "resample": 3, "do_resize": resize != nil,
            "do_center_crop": centerCrop != nil, "do_rescale": rescaleFactor != nil, "do_normalize": normalization != nil,
        ]
        switch resize {
        case .shortestEdge(let edge)?: object["size"] = ["shortest_edge": edge]
        case .exact(let exact)?: object["size"] = size(exact)
        case nil: break
        }
        if let centerCrop { object["crop_size"] = size(centerCrop) }
        if let rescaleFactor { object["rescale_factor"] = decimal(rescaleFactor) }
        if let normalization {
            object["image_mean"] = normalization.mean.map(decimal)
            object["image_std"] = normalization.std.map(decimal)
        }
        return object
    }

    /// The settings of a model folder: its `preprocessor_config.json`, or, when it has none, CLIP's
    /// defaults at `imageSize` (the vision configuration's `image_size`).
    public init(directory: URL, imageSize: Int) throws(ModelFileError) {
        let file = directory.appendingPathComponent(Self.fileName)
        if FileManager.default.fileExists(atPath: file.path) { try self.init(contentsOf: file) } else { self.init(imageSize: imageSize) }
    }

    /// A size field: a bare number (older files) or an object.
    private enum SizeField {
        case number(Int)
        case object(JSONObjectFile.Fields)
    }

    private static func size(_ field: JSONObjectFile.Fields, _ key: String) throws(ModelFileError) -> SizeField? {
        guard let raw = field.object[key], !(raw is NSNull) else { return nil }
        if raw is [String: Any], let object = try field.nested(key) { return .object(object) }
        return .number(try field.positive(key))
    }
}
