import Tensors

/// Per-channel standardisation `(value - mean[c]) / std[c]`, applied when images become a
/// tensor (``Tensors/Tensor/init(images:normalization:)``).
public struct ChannelNormalization: Sendable, Equatable, Codable {
    /// The mean of each channel.
    public var mean: [Float]
    /// The standard deviation of each channel (positive).
    public var std: [Float]

    /// A normalisation with the given statistics, one per channel.
    public init(mean: [Float], std: [Float]) {
        ensure(mean.count == std.count, "ChannelNormalization: \(mean.count) means and \(std.count) deviations")
        ensure(std.allSatisfy { $0 > 0 }, "ChannelNormalization: standard deviations \(std) must be positive")
        self.mean = mean
        self.std = std
    }

    /// Fashion-MNIST's training-set statistics (one channel).
    public static let fashionMNIST = ChannelNormalization(mean: [0.2860], std: [0.3530])

    /// ImageNet's statistics (RGB), the usual choice for natural photos.
    public static let imageNet = ChannelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// The statistics OpenAI's CLIP was trained with (RGB; transformers' `OPENAI_CLIP_MEAN`, `OPENAI_CLIP_STD`).
    public static let openAICLIP = ChannelNormalization(mean: [0.481_454_66, 0.457_827_5, 0.408_210_73],
                                                        std: [0.268_629_54, 0.261_302_58, 0.275_777_11])

    /// The mean and standard deviation of each channel over all pixels of `images` (which must
    /// share their channel count); a constant channel gets standard deviation 1.
    public static func estimated(from images: [Image]) -> ChannelNormalization {
        ensure(!images.isEmpty, "ChannelNormalization.estimated: no images")
        let channels = images[0].channels
        var sums = [Double](repeating: 0, count: channels), squares = sums
        var count = 0.0
        for image in images {
            ensure(image.channels == channels,
                   "ChannelNormalization.estimated: images with \(channels) and \(image.channels) channels")
            let plane = image.planeSize
            for c in 0..<channels {
                for p in 0..<plane {
                    let v = Double(image.pixels[c * plane + p])
                    sums[c] += v
                    squares[c] += v * v
                }
            }
            count += Double(plane)
        }
        let mean = sums.map { $0 / count }
        let std = zip(squares, mean).map { square, m in
            let deviation = (Swift.max(square / count - m * m, 0)).squareRoot()
            return deviation > 1e-6 ? Float(deviation) : 1
        }
        return ChannelNormalization(mean: mean.map(Float.init), std: std)
    }
}

extension Tensor {
    /// The images as one `[N, C, H, W]` tensor, normalised per channel when `normalization` is
    /// given. All images must have the same size and channel count.
    ///
    /// ```swift
    /// let batch = Tensor(images: views, normalization: .fashionMNIST)   // [256, 1, 28, 28]
    /// ```
    public convenience init(images: [Image], normalization: ChannelNormalization? = nil) {
        ensure(!images.isEmpty, "Tensor(images:): no images")
        let (channels, height, width) = (images[0].channels, images[0].height, images[0].width)
        if let normalization {
            ensure(normalization.mean.count == channels,
                   "Tensor(images:): normalisation for \(normalization.mean.count) channels, images have \(channels)")
        }
        let item = channels * height * width
        var scalars = [Float](repeating: 0, count: images.count * item)
        scalars.withUnsafeMutableBufferPointer { out in
            for (n, image) in images.enumerated() {
                ensure(image.channels == channels && image.height == height && image.width == width,
                       "Tensor(images:): image \(n) is \(image.channels)x\(image.height)x\(image.width), image 0 is \(channels)x\(height)x\(width)")
                let plane = height * width
                image.pixels.withUnsafeBufferPointer { pixels in
                    for c in 0..<channels {
                        let scale = normalization.map { 1 / $0.std[c] } ?? 1, shift = normalization?.mean[c] ?? 0
                        let source = pixels.baseAddress! + c * plane, target = out.baseAddress! + n * item + c * plane
                        for p in 0..<plane { target[p] = (source[p] - shift) * scale }
                    }
                }
            }
        }
        self.init(scalars, shape: [images.count, channels, height, width])
    }
}
