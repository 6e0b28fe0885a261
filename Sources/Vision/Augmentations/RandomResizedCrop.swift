import Foundation
import Tensors

/// A random region of random area and aspect ratio, resampled to a fixed size: torchvision's
/// `RandomResizedCrop`, the main augmentation of SimCLR.
public struct RandomResizedCrop: ImageTransform {
    /// The output height and width.
    public var height: Int, width: Int
    /// The range of the region's area as a fraction of the image's.
    public var scale: ClosedRange<Float>
    /// The range of the region's aspect ratio (width / height), sampled log-uniformly.
    public var ratio: ClosedRange<Float>

    /// Crops of `scale` of the area (SimCLR: 0.08...1) and aspect ratio `ratio`, resized to
    /// `height x width`.
    public init(height: Int, width: Int, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = 0.75...(4.0 / 3)) {
        ensure(height > 0 && width > 0, "RandomResizedCrop: size \(height)x\(width) must be positive")
        ensure(scale.lowerBound > 0 && scale.upperBound <= 1, "RandomResizedCrop: scale \(scale) is outside (0, 1]")
        ensure(ratio.lowerBound > 0, "RandomResizedCrop: ratio \(ratio) must be positive")
        self.height = height
        self.width = width
        self.scale = scale
        self.ratio = ratio
    }

    /// The region to crop from an image of `imageHeight x imageWidth`: up to ten tries at a
    /// random area and ratio that fits, then the central crop of the nearest allowed ratio
    /// (torchvision's `get_params`).
    public func region(imageHeight: Int, imageWidth: Int, generator: inout RandomGenerator) -> (top: Int, left: Int, height: Int, width: Int) {
        let area = Float(imageHeight * imageWidth)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * generator.nextUniform(in: scale)
            let aspect = exp(generator.nextUniform(in: logRatio))
            let w = Int((target * aspect).squareRoot().rounded()), h = Int((target / aspect).squareRoot().rounded())
            if w > 0 && w <= imageWidth && h > 0 && h <= imageHeight {
                let top = generator.nextInt(below: imageHeight - h + 1), left = generator.nextInt(below: imageWidth - w + 1)
                return (top, left, h, w)
            }
        }
        let imageRatio = Float(imageWidth) / Float(imageHeight)
        var (h, w) = (imageHeight, imageWidth)
        if imageRatio < ratio.lowerBound {
            h = max(1, Int((Float(w) / ratio.lowerBound).rounded()))
        } else if imageRatio > ratio.upperBound {
            w = max(1, Int((Float(h) * ratio.upperBound).rounded()))
        }
        return ((imageHeight - h) / 2, (imageWidth - w) / 2, h, w)
    }

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        let r = region(imageHeight: image.height, imageWidth: image.width, generator: &generator)
        return image.resizedCrop(top: r.top, left: r.left, height: r.height, width: r.width, toHeight: height, toWidth: width)
    }
}

/// Mirrors the image left to right. SimCLR applies it with probability 0.5
/// (`RandomApply(HorizontalFlip(), probability: 0.5)`, torchvision's `RandomHorizontalFlip`).
public struct HorizontalFlip: ImageTransform {
    /// The transform.
    public init() {}

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image { image.horizontallyFlipped() }
}
