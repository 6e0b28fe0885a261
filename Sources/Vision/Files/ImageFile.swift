import Foundation

extension Image {
    /// Reads a PNG or JPEG file, recognised by its first bytes whatever its extension.
    ///
    /// ```swift
    /// let image = try Image(contentsOf: URL(fileURLWithPath: "photos/cat.jpg"))
    /// ```
    ///
    /// - Throws: ``ImageFileError`` naming the file: missing, empty, neither PNG nor JPEG,
    ///   corrupt or truncated data.
    public init(contentsOf file: URL) throws(ImageFileError) {
        let bytes = try ImageFileError.bytes(of: file)
        if PNG.hasSignature(bytes) {
            self = try PNG.decode(bytes, file: file)
        } else if JPEG.hasSignature(bytes) {
            self = try JPEG.decode(bytes, file: file)
        } else {
            let start = bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw ImageFileError(file: file, .unknownFormat("first bytes \(start); PNG and JPEG are read"))
        }
    }
}
