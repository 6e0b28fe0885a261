import Tensors

/// Colour operations with torchvision's definitions (`torchvision.transforms.functional`), so
/// that recipes written for it mean the same here. Each result is clamped to [0, 1]. On
/// grayscale images saturation and hue have nothing to act on and return the image unchanged.
extension Image {
    /// ITU-R 601 luma weights of R, G and B, as torchvision's `rgb_to_grayscale`.
    public static let lumaWeights: (red: Float, green: Float, blue: Float) = (0.2989, 0.587, 0.114)

    /// The luma plane: `0.2989 R + 0.587 G + 0.114 B` for RGB, the plane itself for grayscale.
    public func grayscale() -> Image {
        if channels == 1 { return self }
        return Image(channels: 1, height: height, width: width, pixels: luma())
    }

    /// Every value times `factor` (0 gives black, 1 the image).
    public func adjustedBrightness(_ factor: Float) -> Image {
        transformed { source, target, count in
            for i in 0..<count { target[i] = clamp01(source[i] * factor) }
        }
    }

    /// The image blended with its mean luma: `factor * value + (1 - factor) * mean` (0 gives a
    /// uniform gray image, 1 the image).
    public func adjustedContrast(_ factor: Float) -> Image {
        let luma = channels == 1 ? pixels : luma()
        let offset = (1 - factor) * luma.reduce(0, +) / Float(luma.count)
        return transformed { source, target, count in
            for i in 0..<count { target[i] = clamp01(factor * source[i] + offset) }
        }
    }

    /// The image blended with its luma: `factor * value + (1 - factor) * gray` (0 gives the
    /// grayscale image in three channels, 1 the image).
    public func adjustedSaturation(_ factor: Float) -> Image {
        if channels == 1 { return self }
        let luma = luma(), plane = planeSize
        return luma.withUnsafeBufferPointer { luma in
            transformed { source, target, _ in
                for c in 0..<3 {
                    let (from, to) = (source + c * plane, target + c * plane)
                    for p in 0..<plane { to[p] = clamp01(factor * from[p] + (1 - factor) * luma[p]) }
                }
            }
        }
    }

    /// The hue rotated by `shift` turns (in [-0.5, 0.5]; 0 changes nothing) in HSV space.
    public func adjustedHue(_ shift: Float) -> Image {
        ensure(shift >= -0.5 && shift <= 0.5, "Image.adjustedHue: shift \(shift) is outside -0.5...0.5")
        if channels == 1 { return self }
        let plane = planeSize
        return transformed { source, target, _ in
            for p in 0..<plane {
                let (h, s, v) = Self.hsv(red: source[p], green: source[plane + p], blue: source[2 * plane + p])
                let shifted = h + shift
                let (r, g, b) = Self.rgb(hue: shifted - shifted.rounded(.down), saturation: s, value: v)
                target[p] = r
                target[plane + p] = g
                target[2 * plane + p] = b
            }
        }
    }

    /// Hue (turns in [0, 1)), saturation and value of an RGB colour (torchvision's `_rgb2hsv`).
    @inline(__always)
    public static func hsv(red r: Float, green g: Float, blue b: Float) -> (hue: Float, saturation: Float, value: Float) {
        let maximum = Swift.max(r, g, b), minimum = Swift.min(r, g, b)
        let chroma = maximum - minimum
        if chroma == 0 { return (0, 0, maximum) }
        let saturation = chroma / maximum, inverse = 1 / chroma
        let rc = (maximum - r) * inverse, gc = (maximum - g) * inverse, bc = (maximum - b) * inverse
        let sector: Float = maximum == r ? bc - gc : maximum == g ? 2 + rc - bc : 4 + gc - rc
        let hue = sector / 6  // in (-1/6, 5/6]
        return (hue < 0 ? hue + 1 : hue, saturation, maximum)
    }

    /// The RGB colour of a hue (turns in [0, 1)), saturation and value (torchvision's `_hsv2rgb`).
    @inline(__always)
    public static func rgb(hue h: Float, saturation s: Float, value v: Float) -> (red: Float, green: Float, blue: Float) {
        let scaled = h * 6, floor = scaled.rounded(.down)
        let f = scaled - floor
        let p = clamp01(v * (1 - s)), q = clamp01(v * (1 - s * f)), t = clamp01(v * (1 - s * (1 - f)))
        switch (Int(floor) % 6 + 6) % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// The luma plane of an RGB image.
    private func luma() -> [Float] {
        let plane = planeSize, w = Self.lumaWeights
        return [Float](unsafeUninitializedCapacity: plane) { out, initialized in
            pixels.withUnsafeBufferPointer { source in
                let (r, g, b) = (source.baseAddress!, source.baseAddress! + plane, source.baseAddress! + 2 * plane)
                for p in 0..<plane { out[p] = w.red * r[p] + w.green * g[p] + w.blue * b[p] }
            }
            initialized = plane
        }
    }

    /// An image of the same size whose values `fill(source, target, count)` writes from these.
    func transformed(_ fill: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Image {
        let count = pixels.count
        let values = [Float](unsafeUninitializedCapacity: count) { target, initialized in
            pixels.withUnsafeBufferPointer { fill($0.baseAddress!, target.baseAddress!, count) }
            initialized = count
        }
        return Image(channels: channels, height: height, width: width, pixels: values)
    }
}

@inline(__always)
func clamp01(_ value: Float) -> Float { Swift.min(Swift.max(value, 0), 1) }
