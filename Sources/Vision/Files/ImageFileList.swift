import Foundation
import Text

/// Image files named in bulk: every image of a folder, or the paths a list file names, decoded a
/// range at a time so that commands embedding many photos hold only a batch of them.
///
/// ```swift
/// let list = try ImageFileList(contentsOf: URL(fileURLWithPath: "photos"))   // or "photos.txt"
/// let batch = try list.images(0..<min(64, list.entries.count))
/// ```
public struct ImageFileList: Sendable {
    /// One image file, and the line of the list that names it (`nil` for a folder's).
    public struct Entry: Sendable, Equatable {
        public var file: URL
        public var line: Int?

        /// The image `file`, named on `line` of a list.
        public init(file: URL, line: Int?) {
            self.file = file
            self.line = line
        }
    }

    /// The extensions of the files a folder's images are taken from (in any case).
    public static let imageExtensions = ["png", "jpg", "jpeg"]

    /// The folder or list file read.
    public let source: URL
    /// The images, in the folder's name order or the list's line order.
    public let entries: [Entry]

    init(source: URL, entries: [Entry]) {
        self.source = source
        self.entries = entries
    }

    /// The images of `path`: a folder's image files (by extension, sorted by name, without
    /// descending into subfolders), or a text file's lines, each the path of an image relative
    /// to the list's folder or absolute (blank lines skipped).
    ///
    /// - Throws: ``ImageFileError`` naming a path that does not exist or a folder without images;
    ///   ``TextFileError`` naming a list that cannot be read or names no image.
    public init(contentsOf path: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder) else {
            throw ImageFileError(file: path, .missingFile(hint: "give a folder of images or a file listing image paths"))
        }
        if isFolder.boolValue {
            let files = try Self.imageFiles(in: path)
            guard !files.isEmpty else { throw ImageFileError(file: path, .layout("no images (\(Self.extensionsText)) in this folder")) }
            self.init(source: path, entries: files.map { Entry(file: $0, line: nil) })
        } else {
            let folder = path.deletingLastPathComponent()
            let entries = try TextFile.lines(of: path).compactMap { line -> Entry? in
                let name = line.text.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { return nil }
                return Entry(file: name.hasPrefix("/") ? URL(fileURLWithPath: name) : folder.appendingPathComponent(name), line: line.number)
            }
            guard !entries.isEmpty else { throw TextFileError(file: path, .invalidRecord("lists no image paths (one per line)")) }
            self.init(source: path, entries: entries)
        }
    }

    /// The images of `entries[range]`, decoded (PNG or JPEG).
    ///
    /// - Throws: ``ImageFileError`` naming a folder's image that cannot be decoded; for a listed
    ///   image, ``TextFileError`` naming the list and the line, with the image's problem.
    public func images(_ range: Range<Int>) throws -> [Image] {
        try entries[range].map { entry in
            do {
                return try Image(contentsOf: entry.file)
            } catch {
                guard let line = entry.line else { throw error }
                throw TextFileError(file: source, line: line, .invalidRecord("\(error)"))
            }
        }
    }

    /// `.png, .jpg, .jpeg`, for messages.
    static var extensionsText: String { imageExtensions.map { "." + $0 }.joined(separator: ", ") }

    /// The image files of `folder` (by extension, hidden files left out), sorted by path as
    /// Python sorts strings (by code point); with `recursive`, those of its subfolders too.
    ///
    /// - Throws: the file system's error when the folder cannot be listed.
    public static func imageFiles(in folder: URL, recursive: Bool = false) throws -> [URL] {
        let fm = FileManager.default
        let found: [URL]
        if recursive {
            guard let walk = fm.enumerator(at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: folder.path])
            }
            found = walk.compactMap { $0 as? URL }
        } else {
            found = try fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        }
        return found.filter { file in
            var isFolder: ObjCBool = false
            return imageExtensions.contains(file.pathExtension.lowercased())
                && fm.fileExists(atPath: file.path, isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted { $0.path.unicodeScalars.lexicographicallyPrecedes($1.path.unicodeScalars) }
    }
}
