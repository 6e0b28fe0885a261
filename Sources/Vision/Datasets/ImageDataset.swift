import Foundation
import Text

/// The image sets the image commands read by name, with the normalisation their encoders use:
/// `fashion-mnist` (Debian's dataset-fashion-mnist), `shapes` (generated scenes) or a caption
/// file's images (captions unused).
public enum ImageDataset {
    /// Which part of a dataset to read; files and generated shapes have a training and a test part too.
    public enum Split: Sendable { case train, test }

    /// The images of `name`'s `split`, their labels where the dataset has them, and the
    /// normalisation their encoders use.
    /// - Throws: ``ImageFileError`` naming the file for a missing, unreadable or empty one (a
    ///   name that is neither a dataset nor an existing file says what it accepts).
    public static func load(_ name: String, split: Split) throws -> (images: [Image], labels: [Int]?, normalization: ChannelNormalization) {
        switch name {
        case "fashion-mnist":
            let data = try FashionMNIST.load(split == .train ? .train : .test)
            return (data.images, data.labels, .fashionMNIST)
        case "shapes":
            let data = ShapesDataset(split: split == .train ? .train : .test, count: split == .train ? 2000 : 500)
            let images = data.examples.map(\.image)
            // Labelled by the kind of the scene's first shape, for probes.
            let labels = data.examples.map { ShapeKind.allCases.firstIndex(of: $0.scene.shapes[0].object.kind)! }
            return (images, labels, .estimated(from: images))
        default:
            let file = try captionFile(named: name)
            let images = try CaptionFile.load(file, size: 32).images
            guard !images.isEmpty else { throw ImageFileError(file: file, .empty) }
            return (images, nil, .estimated(from: images))
        }
    }

    /// The caption file a data set name that is none of the named sets (`fashion-mnist`,
    /// `shapes`) stands for.
    /// - Throws: ``ImageFileError`` when no such file exists, naming the sets and the closest one.
    public static func captionFile(named name: String) throws -> URL {
        let file = URL(fileURLWithPath: name)
        guard FileManager.default.fileExists(atPath: file.path) else {
            let meant = EditDistance.closest(to: name, among: ["fashion-mnist", "shapes"]).map { "; did you mean '\($0)'?" } ?? ""
            throw ImageFileError(file: file, .missingFile(hint: "not fashion-mnist, shapes or an existing caption file" + meant))
        }
        return file
    }
}
