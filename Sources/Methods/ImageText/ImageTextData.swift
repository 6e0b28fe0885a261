import Foundation
import Tensors
import Vision

/// The image-caption data sets `contrast train align|vlmo` and `contrast eval` read, by name:
/// `fashion-mnist` (class-name captions), `shapes` (generated scenes with relational captions),
/// or a caption file.
public enum ImageTextData {
    /// Training images of the Shapes data set (the test split is drawn from a separate stream).
    public static let shapesTrainCount = 20_000
    /// Test images of the Shapes data set: enough candidates that R@1 is a hard, meaningful score.
    public static let shapesTestCount = 1_000
    /// The side of Shapes images.
    public static let shapesImageSize = 32

    /// The training split of `name`. Shapes' splits are fixed (the data set's own seed), so runs
    /// with different training seeds are evaluated on the same test images. A caption file's
    /// images go through `prepare` (a model's ``ImageTextModel/imagePreparation``), or else to
    /// Shapes' 32x32.
    public static func training(_ name: String, preparing prepare: ((Image) -> Image)? = nil) throws -> CaptionedImages {
        switch name {
        case "fashion-mnist": return try FashionMNIST.load(.train).captioned()
        case "shapes": return ShapesDataset(split: .train, count: shapesTrainCount, size: shapesImageSize).captioned()
        default: return try captionFile(name, preparing: prepare)
        }
    }

    /// The test split of `name` (`fashion-mnist`, `shapes`), or all of a caption file (its images
    /// as ``training(_:preparing:)`` reads them).
    public static func test(_ name: String, count: Int = shapesTestCount, preparing prepare: ((Image) -> Image)? = nil) throws -> CaptionedImages {
        switch name {
        case "fashion-mnist": return try FashionMNIST.load(.test).captioned()
        case "shapes": return ShapesDataset(split: .test, count: count, size: shapesImageSize).captioned()
        default: return try captionFile(name, preparing: prepare)
        }
    }

    private static func captionFile(_ name: String, preparing prepare: ((Image) -> Image)?) throws -> CaptionedImages {
        let file = try ImageDataset.captionFile(named: name)
        guard let prepare else { return try CaptionFile.load(file, size: shapesImageSize) }
        return try CaptionFile.load(file, preparing: prepare)
    }

    /// `data` split into the images to train on and the validation split: `fraction` of the images
    /// (at least one and at most ``maximumValidationImages``, and at least one left to train on),
    /// drawn with a fixed seed so that runs with any training seed hold out the same images; no
    /// validation split when `fraction` is 0.
    public static func holdingOut(_ fraction: Float, of data: CaptionedImages) -> (training: CaptionedImages, validation: CaptionedImages?) {
        guard fraction > 0, data.count > 1 else { return (data, nil) }
        var generator = RandomGenerator(seed: validationSeed)
        let order = generator.shuffled(Array(0..<data.count))
        let held = min(data.count - 1, maximumValidationImages, max(1, Int((Float(data.count) * fraction).rounded())))
        return (data.selecting(Array(order[held...]).sorted()), data.selecting(Array(order[..<held]).sorted()))
    }

    /// The most images held out: enough for R@1 to move in steps of 0.2 points, few enough that
    /// the ITM calibration (each query's 16 best candidates through the fusion encoder) stays short.
    public static let maximumValidationImages = 500

    /// The seed of the validation split, apart from every training seed.
    static let validationSeed: UInt64 = 0x5EED_0F_0A11

    /// Per-channel pixel normalisation for `data`: Fashion-MNIST's published one for one
    /// channel, else estimated from (at most 2,000 of) the images.
    public static func normalization(for data: CaptionedImages) -> ChannelNormalization {
        data.images.first?.channels == 1 ? .fashionMNIST : .estimated(from: Array(data.images.prefix(2_000)))
    }
}
