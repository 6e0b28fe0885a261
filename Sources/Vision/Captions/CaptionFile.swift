import Foundation
import Tensors
import Text

/// Users' own image-caption data: a file listing images (paths relative to the file's folder,
/// or absolute) with their captions, in one of two formats:
/// - JSONL: `{"image": "cats/1.jpg", "caption": "a cat on a sofa"}` or
///   `{"image": "cats/1.jpg", "captions": ["a cat on a sofa", "a sleeping cat"]}` (both keys may
///   appear; their captions are joined), other keys ignored;
/// - CSV: `image,caption` per row, RFC 4180 quoting, an optional header row `image,caption`.
///
/// An image may appear on several lines; its captions are gathered in file order.
///
/// ```swift
/// let entries = try CaptionFile.read(URL(fileURLWithPath: "data/pets/captions.jsonl"))
/// let data = try CaptionFile.load(URL(fileURLWithPath: "data/pets/captions.jsonl"), size: 64)
/// ```
public enum CaptionFile {
    /// The two formats.
    public enum Format: Sendable, Equatable {
        /// One JSON object per line.
        case jsonl
        /// Comma-separated `image,caption` rows.
        case csv

        /// `.csv` for a `.csv` extension, `.jsonl` otherwise.
        public static func guessed(from file: URL) -> Format {
            file.pathExtension.lowercased() == "csv" ? .csv : .jsonl
        }
    }

    /// One image of a caption file and its captions.
    public struct Entry: Sendable, Equatable {
        /// The image file, resolved against the caption file's folder.
        public var image: URL
        /// The captions, in file order.
        public var captions: [String]
        /// The line of the image's first record.
        public var line: Int
    }

    /// The entries of `file` in `format` (guessed from the extension by default), one per
    /// distinct image in order of first appearance. Blank lines are skipped and counted.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: invalid JSON or CSV, a missing
    ///   `image` or caption, an empty path or caption, values of the wrong type, a CSV row without
    ///   exactly two columns.
    public static func read(_ file: URL, format: Format? = nil) throws(TextFileError) -> ParsedDataset<Entry> {
        let folder = file.deletingLastPathComponent()
        var entries: [Entry] = []
        var indexOfImage: [String: Int] = [:]
        var blank = 0
        func add(image path: String, captions: [String], line: Int) throws(TextFileError) {
            func failure(_ reason: String) -> TextFileError { TextFileError(file: file, line: line, .invalidRecord(reason)) }
            guard !path.allSatisfy(\.isWhitespace) else { throw failure("the image path is empty") }
            guard !captions.isEmpty else { throw failure("the image has no caption") }
            if let index = captions.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
                throw failure("caption \(index + 1) is empty")
            }
            if let index = indexOfImage[path] {
                entries[index].captions += captions
            } else {
                indexOfImage[path] = entries.count
                let image = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
                entries.append(Entry(image: image, captions: captions, line: line))
            }
        }
        switch format ?? .guessed(from: file) {
        case .jsonl:
            for line in try TextFile.lines(of: file) {
                if line.text.allSatisfy(\.isWhitespace) {
                    blank += 1
                    continue
                }
                let object = try JSONLines.object(line.text, file: file, line: line.number)
                guard let image = try JSONLines.string("image", in: object, file: file, line: line.number) else {
                    throw TextFileError(file: file, line: line.number, .missingKey("image"))
                }
                let single = try JSONLines.string("caption", in: object, file: file, line: line.number)
                let several = try JSONLines.strings("captions", in: object, file: file, line: line.number)
                guard single != nil || several != nil else {
                    throw TextFileError(file: file, line: line.number, .missingKey("caption (or captions)"))
                }
                try add(image: image, captions: (single.map { [$0] } ?? []) + (several ?? []), line: line.number)
            }
        case .csv:
            var records = try DelimitedFile.records(of: file, format: .csv)[...]
            if let first = records.first, first.fields == ["image", "caption"] { records = records.dropFirst() }
            for record in records {
                if record.isBlank {
                    blank += 1
                    continue
                }
                guard record.fields.count == 2 else {
                    throw TextFileError(file: file, line: record.line, .wrongColumnCount(expected: "2 (image,caption)", found: record.fields.count))
                }
                try add(image: record.fields[0], captions: [record.fields[1]], line: record.line)
            }
        }
        return ParsedDataset(examples: entries, skippedEmptyLines: blank)
    }

    /// The entries of `file` with their images decoded (PNG or JPEG) and brought to `channels`
    /// channels (3: grayscale images repeated; 1: RGB images to luma). With `size`, each image is
    /// resized so that its shorter side is `size` and centre-cropped to `size x size`; without,
    /// all images must already share one size.
    ///
    /// - Throws: ``TextFileError`` naming the caption file and line: its own problems, and an
    ///   image file there that is missing, corrupt, or of another size than the first (without `size`).
    public static func load(_ file: URL, format: Format? = nil, size: Int? = nil, channels: Int = 3) throws -> CaptionedImages {
        try load(file, format: format, channels: channels) { image, path, first throws(ImageFileError) in
            if let size { return image.centeredSquare(size: size) }
            if let first, first.height != image.height || first.width != image.width {
                throw ImageFileError(file: path, .mismatch(
                    "the image is \(image.height)x\(image.width), the first one \(first.height)x\(first.width) (pass a size to resize)"))
            }
            return image
        }
    }

    /// The entries of `file` with their images decoded, brought to `channels` channels, and each
    /// through `prepare` as it is read (a model's preprocessing as far as it can be done ahead,
    /// such as CLIP's resizing), so that a file of large photos is held at the model's scale;
    /// the prepared images may differ in size.
    ///
    /// - Throws: ``TextFileError`` naming the caption file and line: its own problems, and an
    ///   image file there that is missing or corrupt.
    public static func load(_ file: URL, format: Format? = nil, channels: Int = 3, preparing prepare: (Image) -> Image) throws -> CaptionedImages {
        try load(file, format: format, channels: channels) { image, _, _ in prepare(image) }
    }

    /// The entries of `file` with each image decoded, brought to `channels` channels and then
    /// through `finish` (given the image, its file and the first image finished).
    private static func load(_ file: URL, format: Format?, channels: Int,
                             finish: (Image, URL, Image?) throws(ImageFileError) -> Image) throws -> CaptionedImages {
        ensure(channels == 1 || channels == 3, "CaptionFile.load: channels \(channels), expected 1 or 3")
        let entries = try read(file, format: format).examples
        var images: [Image] = []
        for entry in entries {
            // An image's problem is told at the caption file's line that names it.
            do {
                let image = try Image(contentsOf: entry.image)
                images.append(try finish(channels == 3 ? image.rgb() : image.grayscale(), entry.image, images.first))
            } catch {
                throw TextFileError(file: file, line: entry.line, .invalidRecord("\(error)"))
            }
        }
        return CaptionedImages(images: images, captions: entries.map(\.captions))
    }
}

extension Image {
    /// The largest centred square of the image resampled to `size x size`: the same as resizing
    /// the shorter side to `size` and cropping the centre, without distorting the aspect ratio.
    public func centeredSquare(size: Int) -> Image {
        let side = Swift.min(height, width)
        return resizedCrop(top: (height - side) / 2, left: (width - side) / 2, height: side, width: side,
                           toHeight: size, toWidth: size)
    }
}
