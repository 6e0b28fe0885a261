import CPNG
import Foundation
import Tensors

/// PNG decoding and encoding through libpng's simplified API, which turns libpng's errors into
/// return codes (no longjmp reaches Swift).
public enum PNG {
    /// Whether `bytes` start with the PNG signature.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// The image in PNG `bytes`, read from `file` (named in errors): grayscale files give one
    /// channel, colour and palette files three; 16-bit samples are reduced to 8 bits, and
    /// transparent pixels are composited on white.
    public static func decode(_ bytes: [UInt8], file: URL) throws(ImageFileError) -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        func failure(_ image: png_image) -> ImageFileError {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return ImageFileError(file: file, .corrupt("PNG: \(message)"))
        }
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw failure(image)
        }
        // 16-bit samples without gamma information are sRGB like 8-bit ones (as every other
        // reader takes them), not linear light (libpng's default).
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let color = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let channels = color ? 3 : 1
        let (width, height) = (Int(image.width), Int(image.height))
        guard width * height <= maximumPixels else {
            png_image_free(&image)
            throw ImageFileError(file: file, .unsupported("\(width)x\(height) pixels, more than \(maximumPixels)"))
        }
        image.format = color ? rgbFormat : 0  // PNG_FORMAT_RGB or PNG_FORMAT_GRAY
        // Alpha is composited onto the buffer's contents (a NULL background): start from white.
        var samples = [UInt8](repeating: 255, count: width * height * channels)
        let finished = samples.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw failure(image) }
        return samples.withUnsafeBufferPointer { Image(interleaved: $0, channels: channels, height: height, width: width) }
    }

    /// `image` as PNG bytes: 8-bit grayscale or RGB, values rounded from [0, 1].
    public static func encode(_ image: Image) -> [UInt8] {
        var header = png_image()
        header.version = UInt32(PNG_IMAGE_VERSION)
        header.width = UInt32(image.width)
        header.height = UInt32(image.height)
        header.format = image.channels == 3 ? rgbFormat : 0
        let samples = image.interleavedBytes()
        var size: png_alloc_size_t = 0
        // The first call measures, the second writes; both fail only on invalid arguments.
        let measured = samples.withUnsafeBytes { png_image_write_to_memory(&header, nil, &size, 0, $0.baseAddress, 0, nil) }
        ensure(measured != 0, "PNG.encode: libpng refused a \(image.channels)x\(image.height)x\(image.width) image")
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let written = bytes.withUnsafeMutableBytes { out in
            samples.withUnsafeBytes { png_image_write_to_memory(&header, out.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        ensure(written != 0, "PNG.encode: libpng failed to write a \(image.height)x\(image.width) image")
        return Array(bytes.prefix(Int(size)))
    }

    /// The largest image decoded (a quarter of a gigapixel): a corrupt or hostile header cannot
    /// make the decoder allocate more.
    static let maximumPixels = 1 << 28

    /// `PNG_FORMAT_RGB`, a macro of macros Swift does not import (`PNG_FORMAT_GRAY` is 0).
    private static let rgbFormat = UInt32(PNG_FORMAT_FLAG_COLOR)
}

extension Image {
    /// Writes the image to `file` as a PNG.
    ///
    /// - Throws: the file system's error when the file cannot be written.
    public func writePNG(to file: URL) throws {
        try Data(PNG.encode(self)).write(to: file)
    }
}
