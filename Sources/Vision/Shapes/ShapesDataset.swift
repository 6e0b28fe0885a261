import Tensors

/// A procedurally generated image-caption dataset: one or two coloured shapes on a black
/// canvas, with captions such as "a small red circle left of a large blue square".
///
/// Every image is a pure function of (seed, split, index): the same configuration always gives
/// identical pixels, and the train and test splits of one seed are drawn from separate streams.
/// Two-shape scenes always have shapes of different kinds and colours, so each caption has hard
/// negatives (``ShapeCaption/hardNegative(_:)``) with the same words bound differently, which
/// only a model that binds attributes to objects can tell apart.
///
/// Captions name colours and left/right: image-text training on Shapes must not use augmentations
/// that change them (horizontal flips, hue jitter, grayscale), nor crops that cut a shape off.
///
/// ```swift
/// let train = ShapesDataset(split: .train, count: 20_000)
/// let example = train.examples[0]
/// print(example.captions[0].text, example.captions[0].hardNegatives.map(\.text))
/// let data = train.captioned()   // CaptionedImages for the trainers
/// ```
public struct ShapesDataset: Sendable {
    /// The two splits, drawn from separate random streams.
    public enum Split: UInt64, Sendable, CaseIterable, Codable {
        case train = 0, test = 1
    }

    /// One generated image with its scene and captions.
    public struct Example: Sendable, Equatable {
        /// The rendered scene (RGB).
        public var image: Image
        /// What the image shows.
        public var scene: ShapeScene
        /// The true captions of the scene.
        public var captions: [ShapeCaption] { scene.captions }
    }

    /// The split generated.
    public let split: Split
    /// The examples, in index order.
    public let examples: [Example]

    /// Generates `count` examples of `split` from `seed`: images of `size x size` pixels, one
    /// shape with probability `singleShapeProbability`, else two.
    public init(split: Split, count: Int, size: Int = 32, singleShapeProbability: Float = 0.2, seed: UInt64 = 0) {
        ensure(count >= 0, "ShapesDataset: count \(count) is negative")
        self.split = split
        self.examples = parallelMap(count, costPerItem: 4 * size * size) { index in
            var generator = RandomGenerator.item(index, stream: split.rawValue, seed: seed)
            let scene = ShapeScene.random(singleShapeProbability: singleShapeProbability, generator: &generator)
            return Example(image: scene.rendered(size: size), scene: scene)
        }
    }

    /// The images with the text of their captions, and as negative captions the hard negatives
    /// of those captions that are false of the scene (none for one-shape scenes).
    public func captioned() -> CaptionedImages {
        CaptionedImages(images: examples.map(\.image), captions: examples.map { $0.captions.map(\.text) },
                        negativeCaptions: examples.map { example in
                            Set(example.captions.flatMap(\.hardNegatives).filter { !example.scene.isDescribed(by: $0) }.map(\.text)).sorted()
                        })
    }
}
