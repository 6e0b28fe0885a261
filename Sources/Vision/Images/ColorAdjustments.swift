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
        let plane = planeSize, w = Self.lumaWeights
        var out = [Float](repeating: 0, count: plane)
        for p in 0..<plane { out[p] = w.red * pixels[p] + w.green * pixels[plane + p] + w.blue * pixels[2 * plane + p] }
        return Image(channels: 1, height: height, width: width, pixels: out)
    }

    /// Every value times `factor` (0 gives black, 1 the image).
    public func adjustedBrightness(_ factor: Float) -> Image {
        mapped { clamp01($0 * factor) }
    }

    /// The image blended with its mean luma: `factor * value + (1 - factor) * mean` (0 gives a
    /// uniform gray image, 1 the image).
    public func adjustedContrast(_ factor: Float) -> Image {
        let luma = grayscale().pixels
        let mean = luma.reduce(0, +) / Float(luma.count)
        return mapped { clamp01(factor * $0 + (1 - factor) * mean) }
    }

    /// The image blended with its luma: `factor * value + (1 - factor) * gray` (0 gives the
    /// grayscale image in three channels, 1 the image).
    public func adjustedSaturation(_ factor: Float) -> Image {
        if channels == 1 { return self }
        let luma = grayscale().pixels, plane = planeSize
        var out = pixels
        for c in 0..<3 {
            for p in 0..<plane { out[c * plane + p] = clamp01(factor * pixels[c * plane + p] + (1 - factor) * luma[p]) }
        }
        return Image(channels: 3, height: height, width: width, pixels: out)
    }

    /// The hue rotated by `shift` turns (in [-0.5, 0.5]; 0 changes nothing) in HSV space.
    public func adjustedHue(_ shift: Float) -> Image {
        ensure(shift >= -0.5 && shift <= 0.5, "Image.adjustedHue: shift \(shift) is outside -0.5...0.5")
        if channels == 1 { return self }
        let plane = planeSize
        var out = pixels
        for p in 0..<plane {
            var (h, s, v) = Self.hsv(red: pixels[p], green: pixels[plane + p], blue: pixels[2 * plane + p])
            h = (h + shift).truncatingRemainder(dividingBy: 1)
            if h < 0 { h += 1 }
            let (r, g, b) = Self.rgb(hue: h, saturation: s, value: v)
            out[p] = r
            out[plane + p] = g
            out[2 * plane + p] = b
        }
        return Image(channels: 3, height: height, width: width, pixels: out)
    }

    /// Hue (turns in [0, 1)), saturation and value of an RGB colour (torchvision's `_rgb2hsv`).
    public static func hsv(red r: Float, green g: Float, blue b: Float) -> (hue: Float, saturation: Float, value: Float) {
        let maximum = Swift.max(r, g, b), minimum = Swift.min(r, g, b)
        let chroma = maximum - minimum
        if chroma == 0 { return (0, 0, maximum) }
        let saturation = chroma / maximum
        let rc = (maximum - r) / chroma, gc = (maximum - g) / chroma, bc = (maximum - b) / chroma
        let sector: Float = maximum == r ? bc - gc : maximum == g ? 2 + rc - bc : 4 + gc - rc
        var hue = (sector / 6).truncatingRemainder(dividingBy: 1)
        if hue < 0 { hue += 1 }
        return (hue, saturation, maximum)
    }

    /// The RGB colour of a hue (turns), saturation and value (torchvision's `_hsv2rgb`).
    public static func rgb(hue h: Float, saturation s: Float, value v: Float) -> (red: Float, green: Float, blue: Float) {
        let scaled = h * 6
        let sector = Int(scaled.rounded(.down)) % 6
        let f = scaled - scaled.rounded(.down)
        let p = clamp01(v * (1 - s)), q = clamp01(v * (1 - s * f)), t = clamp01(v * (1 - s * (1 - f)))
        switch (sector + 6) % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// The image with `transform` applied to every value.
    func mapped(_ transform: (Float) -> Float) -> Image {
        Image(channels: channels, height: height, width: width, pixels: pixels.map(transform))
    }
}

@inline(__always)
func clamp01(_ value: Float) -> Float { Swift.min(Swift.max(value, 0), 1) }
