import Tensors

/// A (usually random) image transform: an augmentation step of an ``ImagePipeline``.
///
/// Transforms draw every random choice from the generator they are given, so the same
/// generator state gives the same output. They keep the channel count: colour operations leave
/// grayscale images alone where they have nothing to act on.
public protocol ImageTransform: Sendable {
    /// The transformed image.
    func apply(to image: Image, generator: inout RandomGenerator) -> Image
}

/// Applies a transform with a probability, like torchvision's `RandomApply`.
public struct RandomApply<Transform: ImageTransform>: ImageTransform {
    /// The transform applied.
    public var transform: Transform
    /// How often it is applied.
    public var probability: Float

    /// `transform` with probability `probability`.
    public init(_ transform: Transform, probability: Float) {
        ensure((0...1).contains(probability), "RandomApply: probability \(probability) is outside 0...1")
        self.transform = transform
        self.probability = probability
    }

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        generator.nextBool(probability: probability) ? transform.apply(to: image, generator: &generator) : image
    }
}

/// Resamples every image to one size (bilinear, antialiased when shrinking): a deterministic
/// step, for evaluation pipelines or datasets of mixed sizes.
public struct Resize: ImageTransform {
    /// The output height and width.
    public var height: Int, width: Int

    /// Resizes to `height x width`.
    public init(height: Int, width: Int) {
        ensure(height > 0 && width > 0, "Resize: size \(height)x\(width) must be positive")
        self.height = height
        self.width = width
    }

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        image.resized(height: height, width: width)
    }
}
