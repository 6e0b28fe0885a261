import Tensors

/// A sequence of ``ImageTransform``s applied in order, itself a transform; a `Sendable` value
/// that trainers can keep and share across threads.
///
/// ```swift
/// let pipeline = ImagePipeline.simCLR(size: 28)
/// var generator = RandomGenerator(seed: 0)
/// let first = pipeline.views(of: batch, generator: &generator)    // one view of each image
/// let second = pipeline.views(of: batch, generator: &generator)   // another
/// let x = Tensor(images: first, normalization: .fashionMNIST)     // [N, 1, 28, 28]
/// ```
public struct ImagePipeline: ImageTransform {
    /// The steps, applied first to last.
    public var transforms: [any ImageTransform]

    /// A pipeline of `transforms`.
    public init(_ transforms: [any ImageTransform]) { self.transforms = transforms }

    /// SimCLR's augmentations (Chen et al. 2020, appendix A) for output `size x size`: random
    /// resized crop, horizontal flip (p 0.5), colour jitter 0.4/0.4/0.4/0.1 (p 0.8), grayscale
    /// (p 0.2), Gaussian blur of 10% of the side with sigma in 0.1...2 (p 0.5).
    ///
    /// - Parameter scale: the crops' area range; by default SimCLR's 0.08...1, except for images
    ///   of 32 pixels or fewer, where 0.2...1 (as in MoCo's CIFAR-10 recipes) keeps enough of a
    ///   tiny image to recognise.
    public static func simCLR(size: Int, scale: ClosedRange<Float>? = nil, blur: Bool = true) -> ImagePipeline {
        var transforms: [any ImageTransform] = [
            RandomResizedCrop(height: size, width: size, scale: scale ?? (size <= 32 ? 0.2...1 : 0.08...1)),
            RandomApply(HorizontalFlip(), probability: 0.5),
            RandomApply(ColorJitter(), probability: 0.8),
            RandomApply(Grayscale(), probability: 0.2),
        ]
        if blur { transforms.append(RandomApply(GaussianBlur(imageSize: size), probability: 0.5)) }
        return ImagePipeline(transforms)
    }

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        transforms.reduce(image) { image, transform in transform.apply(to: image, generator: &generator) }
    }

    /// One augmented view of each image, computed in parallel. The call draws a single stream
    /// from `generator`, and image `i` gets the generator ``Tensors/RandomGenerator/item(_:stream:seed:)``
    /// of that stream: the views depend only on the generator's state, not on the thread count.
    public func views(of images: [Image], generator: inout RandomGenerator) -> [Image] {
        let stream = generator.nextStream(), seed = generator.seed
        let cost = images.first.map { 200 * $0.pixels.count } ?? 0
        return parallelMap(images.count, costPerItem: cost) { index in
            var itemGenerator = RandomGenerator.item(index, stream: stream, seed: seed)
            return apply(to: images[index], generator: &itemGenerator)
        }
    }
}
