import Tensors

extension Image {
    /// The image resampled to `height x width` as Pillow's `Image.resize((width, height),
    /// Image.BICUBIC)` resamples an 8-bit image, to the last bit: the pipelines of OpenAI's CLIP
    /// and of transformers' `CLIPImageProcessorPil` resize this way.
    ///
    /// Pixels are taken as bytes (`value * 255`, rounded; decoded images are exactly that); Pillow's
    /// separable convolution then runs in its fixed-point arithmetic: the bicubic kernel (`a = -0.5`,
    /// support 2) widened by the shrink factor, weights normalised and scaled to 22 fractional bits,
    /// one pass per axis, each rounding to bytes. A side that keeps its size skips its pass. The
    /// passes run in Pillow 13's order: vertical first when the height loses more than twice as
    /// many pixels as the width, horizontal first otherwise (Pillow 12 and earlier always ran the
    /// horizontal one first: for those shapes their bytes differ from these where the first pass's
    /// rounding and clipping differ, by several levels at some pixels of a noisy image).
    /// The result holds `byte / 255` values. (This differs from ``resized(height:width:)``, a
    /// bilinear filter in floating point.)
    public func resizedBicubic(height: Int, width: Int) -> Image {
        ensure(height > 0 && width > 0, "Image.resizedBicubic: output size \(height)x\(width) must be positive")
        var bytes = pixels.map { UInt8((Swift.min(Swift.max($0, 0), 1) * 255).rounded()) }
        var (rows, columns) = (self.height, self.width)
        func horizontalPass() {
            // The rows of every plane, one after the other, are one run of lines.
            bytes = PillowBicubicAxis(inputSize: columns, outputSize: width)
                .resample(bytes, lines: channels * rows, lineStride: columns, step: 1, outputLineStride: width, outputStep: 1)
            columns = width
        }
        func verticalPass() {
            let axis = PillowBicubicAxis(inputSize: rows, outputSize: height)
            var out = [UInt8](repeating: 0, count: channels * height * columns)
            for c in 0..<channels {
                // The columns of one plane: each a line of `rows` bytes `columns` apart.
                let plane = axis.resample(Array(bytes[(c * rows * columns)..<((c + 1) * rows * columns)]),
                                          lines: columns, lineStride: 1, step: columns, outputLineStride: 1, outputStep: columns)
                out.replaceSubrange((c * height * columns)..<((c + 1) * height * columns), with: plane)
            }
            bytes = out
            rows = height
        }
        let verticalFirst = self.height - height > 0 && self.height - height > 2 * (self.width - width)
        if verticalFirst && rows != height { verticalPass() }
        if columns != width { horizontalPass() }
        if rows != height { verticalPass() }
        return Image(channels: channels, height: height, width: width, pixels: bytes.map { Float($0) / 255 })
    }
}

/// Pillow's resampling coefficients along one axis for its bicubic filter (`Resample.c`:
/// `precompute_coeffs`, then `normalize_coeffs_8bpc`), in double precision as Pillow computes them.
struct PillowBicubicAxis {
    /// Pillow's fixed-point weights have 22 fractional bits (`PRECISION_BITS = 32 - 8 - 2`).
    static let precisionBits = 22

    /// The first input index and the number of inputs of each output index.
    private var bounds: [(first: Int, count: Int)] = []
    /// Output `o`'s weight `k` is `weights[o * taps + k]`, scaled by 2^22 and rounded away from zero.
    private var weights: [Int] = []
    private let taps: Int

    init(inputSize: Int, outputSize: Int) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = Swift.max(scale, 1)
        // Pillow multiplies by this reciprocal rather than dividing (the last bit can differ).
        let support = 2 * filterScale, inverseScale = 1 / filterScale
        taps = Int(support.rounded(.up)) * 2 + 1
        let unit = Double(1 << Self.precisionBits)
        for o in 0..<outputSize {
            let centre = (Double(o) + 0.5) * scale
            // `Int(_:)` truncates toward zero like C's `(int)` cast, which Pillow rounds with.
            let first = Swift.max(Int(centre - support + 0.5), 0)
            let count = Swift.min(Int(centre + support + 0.5), inputSize) - first
            var w = (0..<count).map { Self.bicubic((Double($0 + first) - centre + 0.5) * inverseScale) }
            let total = w.reduce(0, +)
            if total != 0 { w = w.map { $0 / total } }
            bounds.append((first, count))
            weights += w.map { Int($0 < 0 ? -0.5 + $0 * unit : 0.5 + $0 * unit) } + [Int](repeating: 0, count: taps - count)
        }
    }

    /// Keys' cubic convolution kernel with `a = -0.5` (Pillow's `bicubic_filter`).
    static func bicubic(_ x: Double) -> Double {
        let a = -0.5, x = Swift.abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Resamples `lines` lines of `input` along this axis: line `l`'s element `i` is at
    /// `l * lineStride + i * step`, and goes to `l * outputLineStride + o * outputStep` of the output.
    /// Each output is Pillow's rounded, clamped fixed-point sum.
    func resample(_ input: [UInt8], lines: Int, lineStride: Int, step: Int, outputLineStride: Int, outputStep: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: lines * bounds.count)
        let half = 1 << (Self.precisionBits - 1)
        for line in 0..<lines {
            for (o, bound) in bounds.enumerated() {
                var sum = half
                for k in 0..<bound.count {
                    sum += Int(input[line * lineStride + (bound.first + k) * step]) * weights[o * taps + k]
                }
                out[line * outputLineStride + o * outputStep] = UInt8(clamping: sum >> Self.precisionBits)
            }
        }
        return out
    }
}
