import CJPEG
import Foundation

/// JPEG decoding through libjpeg-turbo, behind a C shim that catches libjpeg's errors (and its
/// corrupt-data warnings) with setjmp and returns them as messages.
public enum JPEG {
    /// Whether `bytes` start with a JPEG start-of-image marker.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0xFF, 0xD8, 0xFF]) }

    /// The image in JPEG `bytes`, read from `file` (named in errors): grayscale files give one
    /// channel, colour files three. CMYK files are refused; so are files with corrupt or missing
    /// data, even where libjpeg would pad them and carry on.
    public static func decode(_ bytes: [UInt8], file: URL) throws(ImageFileError) -> Image {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { data in
            cjpeg_decode(data.baseAddress, UInt(data.count), UInt(PNG.maximumPixels), &pixels, &width, &height, &channels,
                         &message, message.count)
        }
        guard status == 0, let pixels else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ImageFileError(file: file, .corrupt("JPEG: \(reason)"))
        }
        defer { free(pixels) }
        let count = Int(width) * Int(height) * Int(channels)
        return Image(interleaved: UnsafeBufferPointer(start: pixels, count: count),
                     channels: Int(channels), height: Int(height), width: Int(width))
    }
}
