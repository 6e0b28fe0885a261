import Foundation

/// Fashion-MNIST (Xiao et al. 2017): 28x28 grayscale photos of clothing in 10 classes, 60000 for
/// training and 10000 for testing, read from the IDX files of Debian's `dataset-fashion-mnist`
/// (installed by `scripts/install-deps.sh`).
///
/// For image-text training, ``captioned(templates:)`` turns each class into captions
/// ("a photo of a sneaker", ...); for zero-shot classification, ``prompts(templates:)`` gives a
/// prompt ensemble per class.
///
/// ```swift
/// let test = try FashionMNIST.load(.test)
/// print(test.images.count, FashionMNIST.classNames[test.labels[0]])   // 10000 Ankle boot
/// ```
public struct FashionMNIST: Sendable {
    /// The two official splits.
    public enum Split: String, Sendable, CaseIterable {
        /// 60000 images.
        case train
        /// 10000 images.
        case test

        /// The IDX files' name prefix.
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Where Debian's `dataset-fashion-mnist` installs the files.
    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// The official class names, by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The class names as nouns for captions, by label.
    public static let captionNouns = [
        "t-shirt", "pair of trousers", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot",
    ]

    /// The templates of training captions (see ``CaptionTemplate``).
    public static let captionTemplates = [
        "{a}", "a photo of {a}", "a picture of {a}", "an image of {a}", "a photo of the {}",
        "a grayscale photo of {a}", "a low resolution photo of {a}", "a product photo of {a}",
    ]

    /// The templates of zero-shot prompts, in the manner of CLIP's prompt ensembles: averaging
    /// the embeddings of several phrasings makes a steadier class embedding than any one.
    public static let promptTemplates = [
        "a photo of {a}", "a photo of the {}", "a black and white photo of {a}", "a low resolution photo of {a}",
        "a blurry photo of {a}", "a good photo of {a}", "a close-up photo of {a}", "a photo of a small {}",
        "a centered photo of {a}", "an item of clothing: {a}",
    ]

    /// The split read.
    public let split: Split
    /// The images (one channel, 28x28).
    public let images: [Image]
    /// The class of each image, in `0..<10`.
    public let labels: [Int]

    /// Reads `split` from `directory` (`train-images-idx3-ubyte.gz` and
    /// `train-labels-idx1-ubyte.gz`, or `t10k-...`; uncompressed files without `.gz` are read too).
    ///
    /// - Throws: ``ImageFileError`` naming the file: missing (with how to install it), corrupt,
    ///   not 28x28, labels outside the 10 classes, or image and label counts that differ.
    public static func load(_ split: Split, directory: URL = defaultDirectory) throws(ImageFileError) -> FashionMNIST {
        let imagesFile = try file(split.filePrefix + "-images-idx3-ubyte", in: directory)
        let labelsFile = try file(split.filePrefix + "-labels-idx1-ubyte", in: directory)
        let images = try IDXFile.images(imagesFile)
        if let first = images.first, first.height != 28 || first.width != 28 {
            throw ImageFileError(file: imagesFile, .mismatch("Fashion-MNIST images are 28x28, found \(first.height)x\(first.width)"))
        }
        let labels = try IDXFile.labels(labelsFile, classCount: classNames.count)
        guard labels.count == images.count else {
            throw ImageFileError(file: labelsFile, .mismatch("\(labels.count) labels for the \(images.count) images of \(imagesFile.path)"))
        }
        return FashionMNIST(split: split, images: images, labels: labels)
    }

    /// `name` + `.gz` in `directory`, else `name` uncompressed.
    private static func file(_ name: String, in directory: URL) throws(ImageFileError) -> URL {
        let compressed = directory.appendingPathComponent(name + ".gz")
        let plain = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: compressed.path) { return compressed }
        if FileManager.default.fileExists(atPath: plain.path) { return plain }
        throw ImageFileError(file: compressed, .missingFile(hint: "install Debian's dataset-fashion-mnist: scripts/install-deps.sh"))
    }

    /// The images with, for each, its class noun in every template (all images of a class share
    /// their captions), and the labels.
    public func captioned(templates: [String] = captionTemplates) -> CaptionedImages {
        let byClass = Self.prompts(templates: templates)
        return CaptionedImages(images: images, captions: labels.map { byClass[$0] }, labels: labels)
    }

    /// For each class (by label), its noun in every template: the prompt ensemble of zero-shot
    /// classification.
    public static func prompts(templates: [String] = promptTemplates) -> [[String]] {
        captionNouns.map { noun in templates.map { CaptionTemplate.fill($0, with: noun) } }
    }
}
