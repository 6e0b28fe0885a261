import Foundation
import TestSupport
import Testing
import Text
import Vision

/// Images named in bulk: a folder of images, a list of image paths, the ImageFolder layout, and
/// caption files whose images are prepared as they are read.
@Suite struct ImageFolderTests {
    /// Writes a small PNG (`channels` channels, `side` pixels, a ramp) at each of `paths` under `root`.
    func write(_ paths: [String], under root: URL, channels: Int = 3, side: Int = 4) throws {
        for path in paths {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Sample.ramp(channels: channels, height: side, width: side).writePNG(to: file)
        }
    }

    @Test func folderAndListOfImages() throws {
        let root = try TestPaths.temporaryDirectory()
        try write(["b.png", "a.JPG", "c.jpeg", "sub/d.png", ".hidden.png"], under: root)
        try "not an image".write(to: root.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        // A folder: its image files by name, not its subfolders' or hidden ones.
        let folder = try ImageFileList(contentsOf: root)
        #expect(folder.entries.map(\.file.lastPathComponent) == ["a.JPG", "b.png", "c.jpeg"] && folder.entries.allSatisfy { $0.line == nil })
        // A list: paths relative to its folder or absolute, blank lines skipped, any file named.
        let list = root.appendingPathComponent("list.txt")
        try "sub/d.png\n\n  \(root.appendingPathComponent("b.png").path)\n".write(to: list, atomically: true, encoding: .utf8)
        let listed = try ImageFileList(contentsOf: list)
        #expect(listed.entries == [.init(file: root.appendingPathComponent("sub/d.png"), line: 1), .init(file: root.appendingPathComponent("b.png"), line: 3)])
        #expect(try listed.images(0..<2).map(\.height) == [4, 4])
    }

    @Test func imageListErrorsNameTheFile() throws {
        let root = try TestPaths.temporaryDirectory()
        let missing = root.appendingPathComponent("none")
        #expect(throws: ImageFileError(file: missing, .missingFile(hint: "give a folder of images or a file listing image paths"))) {
            try ImageFileList(contentsOf: missing)
        }
        #expect(throws: ImageFileError(file: root, .layout("no images (.png, .jpg, .jpeg) in this folder"))) { try ImageFileList(contentsOf: root) }
        let list = root.appendingPathComponent("list.txt")
        try "\n\n".write(to: list, atomically: true, encoding: .utf8)
        #expect(throws: TextFileError(file: list, .invalidRecord("lists no image paths (one per line)"))) { try ImageFileList(contentsOf: list) }
        // A listed image's problem is told at the list's line.
        try write(["a.png"], under: root)
        try "a.png\nb.png\n".write(to: list, atomically: true, encoding: .utf8)
        let entries = try ImageFileList(contentsOf: list)
        #expect(throws: TextFileError(file: list, line: 2, .invalidRecord("\(root.appendingPathComponent("b.png").path): no such file"))) {
            try entries.images(0..<2)
        }
    }

    @Test func imageFolderLayout() throws {
        let root = try TestPaths.temporaryDirectory()
        try write(["golden_retriever/2.png", "golden_retriever/1.jpg", "cat/x.png", "cat/more/y.png", "Zebra/z.png"], under: root)
        try "a file beside the classes".write(to: root.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        let folder = try ImageFolder(root)
        // Classes sorted by code point (upper case first, as Python sorts), `_` read as a space.
        #expect(folder.classNames == ["Zebra", "cat", "golden retriever"])
        #expect(folder.images.entries.map { $0.file.path.replacingOccurrences(of: root.path + "/", with: "") }
                == ["Zebra/z.png", "cat/more/y.png", "cat/x.png", "golden_retriever/1.jpg", "golden_retriever/2.png"])
        #expect(folder.labels == [0, 1, 1, 2, 2])
        #expect(try folder.images.images(0..<5).count == 5)
    }

    @Test func imageFolderErrorsNameTheFolder() throws {
        let root = try TestPaths.temporaryDirectory()
        let layout = "the ImageFolder layout: one folder of images per class, named after the class"
        #expect(throws: ImageFileError(file: root.appendingPathComponent("none"), .layout("no such folder"))) {
            try ImageFolder(root.appendingPathComponent("none"))
        }
        #expect(throws: ImageFileError(file: root, .layout("no class folders (\(layout))"))) { try ImageFolder(root) }
        try write(["cat/a.png"], under: root)
        #expect(throws: ImageFileError(file: root.appendingPathComponent("cat/a.png"), .layout("not a folder (\(layout))"))) {
            try ImageFolder(root.appendingPathComponent("cat/a.png"))
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dog"), withIntermediateDirectories: true)
        let error = #expect(throws: ImageFileError.self) { try ImageFolder(root) }
        #expect(error?.description == "\(root.appendingPathComponent("dog").path): no images (.png, .jpg, .jpeg) in this class folder")
    }

    /// A caption file whose images are prepared as they are read keeps each one's own size.
    @Test func captionFileImagesPreparedAsRead() throws {
        let root = try TestPaths.temporaryDirectory()
        try write(["a.png"], under: root, side: 4)
        try write(["b.png"], under: root, channels: 1, side: 6)
        let file = root.appendingPathComponent("c.jsonl")
        try #"{"image": "a.png", "caption": "x"}\#n{"image": "b.png", "caption": "y"}\#n"#.write(to: file, atomically: true, encoding: .utf8)
        let loaded = try CaptionFile.load(file) { $0.resizedBicubic(height: $0.height * 2, width: $0.width) }
        #expect(loaded.images.map { [$0.channels, $0.height, $0.width] } == [[3, 8, 4], [3, 12, 6]])
    }
}
