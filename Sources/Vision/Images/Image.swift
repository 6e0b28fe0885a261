import Tensors

/// An image of `Float` pixels in [0, 1], channels first: channel `c`, row `y`, column `x` is
/// `pixels[(c * height + y) * width + x]`, the layout of one item of an `[N, C, H, W]` tensor.
///
/// One channel is grayscale, three are RGB. Decoders produce values `byte / 255`; operations keep
/// values in [0, 1] (they clamp, as torchvision's do).
///
/// ```swift
/// var image = Image(channels: 3, height: 2, width: 2, repeating: 0)
/// image[0, 1, 1] = 1               // a red pixel at the bottom right
/// let gray = image.grayscale()     // one channel
/// ```
public struct Image: Sendable, Equatable {
    /// 1 (grayscale) or 3 (RGB).
    public let channels: Int
    /// Rows.
    public let height: Int
    /// Columns.
    public let width: Int
    /// `channels * height * width` values, channel planes one after the other, rows top to bottom.
    public var pixels: [Float]

    /// An image holding `pixels` (channels first).
    public init(channels: Int, height: Int, width: Int, pixels: [Float]) {
        ensure(channels == 1 || channels == 3, "Image: \(channels) channels, expected 1 or 3")
        ensure(height > 0 && width > 0, "Image: size \(height)x\(width) must be positive")
        ensure(pixels.count == channels * height * width,
               "Image: \(pixels.count) values do not fill \(channels)x\(height)x\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// An image with every value `value`.
    public init(channels: Int, height: Int, width: Int, repeating value: Float) {
        self.init(channels: channels, height: height, width: width,
                  pixels: [Float](repeating: value, count: channels * height * width))
    }

    /// An image from 8-bit samples interleaved per pixel (`RGBRGB...` or gray), the layout of
    /// decoded files; value `b` becomes `b / 255`.
    public init(interleaved bytes: UnsafeBufferPointer<UInt8>, channels: Int, height: Int, width: Int) {
        ensure(bytes.count == channels * height * width,
               "Image(interleaved:): \(bytes.count) bytes do not fill \(height)x\(width)x\(channels)")
        let plane = height * width
        var pixels = [Float](repeating: 0, count: bytes.count)
        for p in 0..<plane {
            for c in 0..<channels { pixels[c * plane + p] = Float(bytes[p * channels + c]) / 255 }
        }
        self.init(channels: channels, height: height, width: width, pixels: pixels)
    }

    /// The number of pixels of one channel.
    public var planeSize: Int { height * width }

    /// The value of channel `c` at row `y`, column `x`.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// The samples as 8-bit values interleaved per pixel (`RGBRGB...`), rounded and clamped to
    /// 0...255: what encoders write.
    public func interleavedBytes() -> [UInt8] {
        let plane = planeSize
        var bytes = [UInt8](repeating: 0, count: pixels.count)
        for p in 0..<plane {
            for c in 0..<channels {
                bytes[p * channels + c] = UInt8((Swift.min(Swift.max(pixels[c * plane + p], 0), 1) * 255).rounded())
            }
        }
        return bytes
    }

    /// The same image with three channels: a grayscale image's plane repeated, an RGB image as is.
    public func rgb() -> Image {
        channels == 3 ? self : Image(channels: 3, height: height, width: width, pixels: pixels + pixels + pixels)
    }
}
