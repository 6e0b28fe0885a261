import Foundation

/// Labelled images in the common ImageFolder layout (torchvision's `ImageFolder`): one folder per
/// class under the root, named after the class, holding the class's images (subfolders included).
/// The classes are the folder names sorted (by code point, as torchvision sorts them), each read
/// with `_` as a space (`golden_retriever` is "golden retriever"); labels index them.
///
/// ```swift
/// let pets = try ImageFolder(URL(fileURLWithPath: "data/pets"))   // pets/cat/1.jpg, pets/dog/7.png
/// print(pets.classNames)                                           // ["cat", "dog"]
/// let first = try pets.images.images(0..<16)                       // labels: pets.labels[0..<16]
/// ```
public struct ImageFolder: Sendable {
    /// The folder read.
    public let root: URL
    /// The class names in label order.
    public let classNames: [String]
    /// Every image, class after class, each class's in path order.
    public let images: ImageFileList
    /// The class of each image (an index into ``classNames``).
    public let labels: [Int]

    /// Reads the layout of `root` (no image is decoded yet).
    ///
    /// - Throws: ``ImageFileError`` naming the folder at fault: a root that is missing, not a
    ///   folder or without class folders, or a class folder without images.
    public init(_ root: URL) throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isFolder) else { throw ImageFileError(file: root, .layout("no such folder")) }
        let layout = "the ImageFolder layout: one folder of images per class, named after the class"
        guard isFolder.boolValue else { throw ImageFileError(file: root, .layout("not a folder (\(layout))")) }
        let classFolders = try fm.contentsOfDirectory(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
            .filter { fm.fileExists(atPath: $0.path, isDirectory: &isFolder) && isFolder.boolValue }
            .sorted { $0.lastPathComponent.unicodeScalars.lexicographicallyPrecedes($1.lastPathComponent.unicodeScalars) }
        guard !classFolders.isEmpty else { throw ImageFileError(file: root, .layout("no class folders (\(layout))")) }
        var entries: [ImageFileList.Entry] = [], labels: [Int] = []
        for (label, folder) in classFolders.enumerated() {
            let files = try ImageFileList.imageFiles(in: folder, recursive: true)
            guard !files.isEmpty else {
                throw ImageFileError(file: folder, .layout("no images (\(ImageFileList.extensionsText)) in this class folder"))
            }
            entries += files.map { ImageFileList.Entry(file: $0, line: nil) }
            labels += [Int](repeating: label, count: files.count)
        }
        self.root = root
        classNames = classFolders.map { $0.lastPathComponent.replacingOccurrences(of: "_", with: " ") }
        images = ImageFileList(source: root, entries: entries)
        self.labels = labels
    }
}
