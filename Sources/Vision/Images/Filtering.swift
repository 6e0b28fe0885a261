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
        let (width, height) = (self.width, self.height)
        var horizontal = [Float](repeating: 0, count: pixels.count)
        var out = [Float](repeating: 0, count: pixels.count)
        var padded = [Float](repeating: 0, count: width + 2 * radius)
        pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                padded.withUnsafeMutableBufferPointer { padded in
                    for row in 0..<(channels * height) {
                        let base = row * width
                        for i in 0..<padded.count { padded[i] = source[base + reflected(i - radius, width)] }
                        // Tap by tap over the whole row: independent sums that vectorise.
                        let destination = target.baseAddress! + base
                        for k in 0..<kernelSize {
                            let (w, source) = (kernel[k], padded.baseAddress! + k)
                            for x in 0..<width { destination[x] += w * source[x] }
                        }
                    }
                }
            }
        }
        // Vertical pass: whole weighted rows added, contiguous so the loop vectorises.
        horizontal.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for c in 0..<channels {
                    for y in 0..<height {
                        let destination = target.baseAddress! + (c * height + y) * width
                        for k in 0..<kernelSize {
                            let row = source.baseAddress! + (c * height + reflected(y + k - radius, height)) * width
                            let w = kernel[k]
                            for x in 0..<width { destination[x] += w * row[x] }
                        }
                    }
                }
            }
        }
        return Image(channels: channels, height: height, width: width, pixels: out)
    }
}
