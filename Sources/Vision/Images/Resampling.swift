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

    /// The centred `height x width` region, as transformers' `center_crop`: it starts
    /// `(self.height - height) / 2` rows in (rounded down, as Python's `//`), and likewise for
    /// columns; a side shorter than the crop is padded with zeros (black), the odd padding row or
    /// column going first.
    public func centerCropped(height: Int, width: Int) -> Image {
        ensure(height > 0 && width > 0, "Image.centerCropped: size \(height)x\(width) must be positive")
        // Floor division: the offset is negative, placing the image inside the padding, when it is smaller.
        func offset(_ size: Int, _ crop: Int) -> Int { (size - crop) >= 0 ? (size - crop) / 2 : -((crop - size + 1) / 2) }
        let (top, left) = (offset(self.height, height), offset(self.width, width))
        if top >= 0 && left >= 0 && top + height <= self.height && left + width <= self.width {
            return cropped(top: top, left: left, height: height, width: width)
        }
        var out = Image(channels: channels, height: height, width: width, repeating: 0)
        for c in 0..<channels {
            for y in Swift.max(0, -top)..<Swift.min(height, self.height - top) {
                for x in Swift.max(0, -left)..<Swift.min(width, self.width - left) { out[c, y, x] = self[c, y + top, x + left] }
            }
        }
        return out
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
        // Horizontal pass over the region's rows (each output sums its few taps in a register),
        // then a vertical pass that adds whole weighted rows (contiguous, so it vectorises).
        var middle = [Float](repeating: 0, count: channels * height * toWidth)
        var out = [Float](repeating: 0, count: channels * toHeight * toWidth)
        let sourceWidth = self.width, sourceHeight = self.height
        pixels.withUnsafeBufferPointer { source in
            middle.withUnsafeMutableBufferPointer { middle in
                columns.withTaps { first, weights, taps in
                    for c in 0..<channels {
                        for y in 0..<height {
                            let row = source.baseAddress! + (c * sourceHeight + top + y) * sourceWidth
                            let target = middle.baseAddress! + (c * height + y) * toWidth
                            for x in 0..<toWidth {
                                let inputs = row + first[x]
                                var sum: Float = 0
                                for k in 0..<taps { sum += weights[k &* toWidth &+ x] * inputs[k] }
                                target[x] = sum
                            }
                        }
                    }
                }
            }
        }
        middle.withUnsafeBufferPointer { middle in
            out.withUnsafeMutableBufferPointer { out in
                rows.withTaps { first, weights, taps in
                    for c in 0..<channels {
                        for y in 0..<toHeight {
                            let target = out.baseAddress! + (c * toHeight + y) * toWidth
                            for k in 0..<taps {
                                // Rows of the intermediate image count from the region's top.
                                let row = middle.baseAddress! + (c * height + first[y] - top + k) * toWidth
                                let w = weights[k * toHeight + y]
                                for x in 0..<toWidth { target[x] += w * row[x] }
                            }
                        }
                    }
                }
            }
        }
        return Image(channels: channels, height: toHeight, width: toWidth, pixels: out)
    }
}

/// The taps of a triangle filter along one axis: every output index reads `taps` consecutive
/// inputs from its first one, all inside the region `start..<start + size` (a crop never reads
/// outside itself), with normalised weights (zero for the inputs the filter does not reach).
struct ResamplingAxis {
    /// The first input index of each output index.
    private var first: [Int]
    /// Tap `k` of output `o` weighs `weights[k * outputSize + o]`: tap-major, so a pass over a
    /// row reads each tap's weights contiguously.
    private var weights: [Float]
    /// Inputs read per output.
    let taps: Int

    init(start: Int, size: Int, outputSize: Int) {
        let scale = Float(size) / Float(outputSize)
        let support = Swift.max(scale, 1)  // the triangle's half-width in input pixels
        let taps = Swift.min(size, Int(support.rounded(.up)) * 2 + 1)
        var first = [Int](repeating: 0, count: outputSize)
        var weights = [Float](repeating: 0, count: outputSize * taps)
        for o in 0..<outputSize {
            let centre = Float(start) + (Float(o) + 0.5) * scale
            let low = Swift.max(start, Int((centre - support).rounded(.down)))
            let high = Swift.min(start + size, Int((centre + support).rounded(.up)))
            // Near the region's end the window starts earlier; the extra inputs weigh 0.
            let from = Swift.min(low, start + size - taps)
            var total: Float = 0
            for i in low..<high {
                let w = Swift.max(0, 1 - abs((Float(i) + 0.5 - centre) / support))
                weights[(i - from) * outputSize + o] = w
                total += w
            }
            for k in 0..<taps { weights[k * outputSize + o] /= total }
            first[o] = from
        }
        self.first = first
        self.weights = weights
        self.taps = taps
    }

    /// Runs `body` with the first inputs, the tap-major weights and the tap count.
    @inline(__always)
    func withTaps<R>(_ body: (UnsafePointer<Int>, UnsafePointer<Float>, Int) -> R) -> R {
        first.withUnsafeBufferPointer { first in
            weights.withUnsafeBufferPointer { weights in body(first.baseAddress!, weights.baseAddress!, taps) }
        }
    }
}
