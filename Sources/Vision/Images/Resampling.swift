import Tensors

extension Image {
    /// The region of `height x width` pixels whose top-left pixel is (`top`, `left`).
    public func cropped(top: Int, left: Int, height: Int, width: Int) -> Image {
        ensure(top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= self.height && left + width <= self.width,
               "Image.cropped: region \(height)x\(width) at (\(top), \(left)) is outside the \(self.height)x\(self.width) image")
        var out = [Float](repeating: 0, count: channels * height * width)
        for c in 0..<channels {
            for y in 0..<height {
                let source = (c * self.height + top + y) * self.width + left
                let target = (c * height + y) * width
                for x in 0..<width { out[target + x] = pixels[source + x] }
            }
        }
        return Image(channels: channels, height: height, width: width, pixels: out)
    }

    /// The image resampled to `height x width` with bilinear interpolation (pixel centres aligned
    /// as in PyTorch's `align_corners=False`), antialiased when shrinking: the triangle filter
    /// widens by the shrink factor, as in Pillow and torchvision's `antialias=True`.
    public func resized(height: Int, width: Int) -> Image {
        resizedCrop(top: 0, left: 0, height: self.height, width: self.width, toHeight: height, toWidth: width)
    }

    /// The region `height x width` at (`top`, `left`) resampled to `toHeight x toWidth`, as
    /// ``cropped(top:left:height:width:)`` then ``resized(height:width:)`` would give, in one pass
    /// without the intermediate image.
    public func resizedCrop(top: Int, left: Int, height: Int, width: Int, toHeight: Int, toWidth: Int) -> Image {
        ensure(top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= self.height && left + width <= self.width,
               "Image.resizedCrop: region \(height)x\(width) at (\(top), \(left)) is outside the \(self.height)x\(self.width) image")
        ensure(toHeight > 0 && toWidth > 0, "Image.resizedCrop: output size \(toHeight)x\(toWidth) must be positive")
        if height == toHeight && width == toWidth {
            return cropped(top: top, left: left, height: height, width: width)
        }
        let columns = ResamplingAxis(start: left, size: width, outputSize: toWidth)
        let rows = ResamplingAxis(start: top, size: height, outputSize: toHeight)
        // Horizontal pass over the region's rows, then vertical pass.
        var horizontal = [Float](repeating: 0, count: channels * height * toWidth)
        var out = [Float](repeating: 0, count: channels * toHeight * toWidth)
        pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { middle in
                for c in 0..<channels {
                    for y in 0..<height {
                        let row = (c * self.height + top + y) * self.width
                        let target = (c * height + y) * toWidth
                        for x in 0..<toWidth { middle[target + x] = columns.sample(x) { source[row + $0] } }
                    }
                }
            }
            horizontal.withUnsafeBufferPointer { middle in
                out.withUnsafeMutableBufferPointer { target in
                    for c in 0..<channels {
                        for y in 0..<toHeight {
                            let base = (c * toHeight + y) * toWidth
                            for x in 0..<toWidth {
                                // Rows of the intermediate image are indexed from the region's top.
                                target[base + x] = rows.sample(y) { middle[(c * height + $0 - top) * toWidth + x] }
                            }
                        }
                    }
                }
            }
        }
        return Image(channels: channels, height: toHeight, width: toWidth, pixels: out)
    }
}

/// The taps of a triangle filter along one axis: for each output index, the first input index
/// and the normalised weights of the inputs from there, all inside the region
/// `start..<start + size` (a crop never reads outside itself).
struct ResamplingAxis {
    let first: [Int]
    let weights: [[Float]]

    init(start: Int, size: Int, outputSize: Int) {
        let scale = Double(size) / Double(outputSize)
        let support = Swift.max(scale, 1)  // the triangle's half-width in input pixels
        var first: [Int] = [], weights: [[Float]] = []
        for o in 0..<outputSize {
            let centre = Double(start) + (Double(o) + 0.5) * scale
            let low = Swift.max(start, Int((centre - support).rounded(.down)))
            let high = Swift.min(start + size, Int((centre + support).rounded(.up)))
            var taps = (low..<high).map { i in Swift.max(0, 1 - abs((Double(i) + 0.5 - centre) / support)) }
            let total = taps.reduce(0, +)
            if total > 0 { taps = taps.map { $0 / total } } else { taps = taps.map { _ in 1 / Double(taps.count) } }
            first.append(low)
            weights.append(taps.map(Float.init))
        }
        self.first = first
        self.weights = weights
    }

    /// The filtered value at output `index`, reading input `i` through `value(i)`.
    @inline(__always)
    func sample(_ index: Int, _ value: (Int) -> Float) -> Float {
        let start = first[index]
        var sum: Float = 0
        for (k, w) in weights[index].enumerated() { sum += w * value(start + k) }
        return sum
    }
}
