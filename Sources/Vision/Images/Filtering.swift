import Foundation
import Tensors

extension Image {
    /// The mirror image (columns reversed).
    public func horizontallyFlipped() -> Image {
        var out = pixels
        for row in 0..<(channels * height) {
            let base = row * width
            for x in 0..<width { out[base + x] = pixels[base + width - 1 - x] }
        }
        return Image(channels: channels, height: height, width: width, pixels: out)
    }

    /// The image convolved with a Gaussian of standard deviation `sigma` pixels truncated to
    /// `kernelSize` taps (odd) per axis, borders reflected: torchvision's `gaussian_blur`.
    public func blurred(kernelSize: Int, sigma: Float) -> Image {
        ensure(kernelSize > 0 && kernelSize % 2 == 1, "Image.blurred: kernel size \(kernelSize) must be odd and positive")
        ensure(sigma > 0, "Image.blurred: sigma \(sigma) must be positive")
        let radius = kernelSize / 2
        ensure(radius < height && radius < width,
               "Image.blurred: kernel size \(kernelSize) is too large for a \(height)x\(width) image (borders are reflected)")
        var kernel = (0..<kernelSize).map { k in exp(-0.5 * pow(Float(k - radius) / sigma, 2)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        // Reflection without repeating the edge pixel ("reflect" padding): -1 -> 1, n -> n - 2.
        func reflected(_ i: Int, _ n: Int) -> Int { i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i }
        var horizontal = pixels
        for row in 0..<(channels * height) {
            let base = row * width
            for x in 0..<width {
                var sum: Float = 0
                for k in 0..<kernelSize { sum += kernel[k] * pixels[base + reflected(x + k - radius, width)] }
                horizontal[base + x] = sum
            }
        }
        var out = horizontal
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float = 0
                    for k in 0..<kernelSize {
                        sum += kernel[k] * horizontal[(c * height + reflected(y + k - radius, height)) * width + x]
                    }
                    out[(c * height + y) * width + x] = sum
                }
            }
        }
        return Image(channels: channels, height: height, width: width, pixels: out)
    }
}
