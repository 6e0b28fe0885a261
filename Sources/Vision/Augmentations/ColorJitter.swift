import Tensors

/// Random changes of brightness, contrast, saturation and hue, applied in a random order:
/// torchvision's `ColorJitter`. Each factor is drawn uniformly from `[max(0, 1 - s), 1 + s]` for
/// strength `s` (hue: a shift in `[-hue, hue]` turns). On grayscale images saturation and hue do
/// nothing (their factors are still drawn, so the random stream does not depend on the image).
public struct ColorJitter: ImageTransform {
    /// Strengths of the four changes (0 disables one).
    public var brightness: Float, contrast: Float, saturation: Float, hue: Float

    /// SimCLR's strengths by default (0.4, 0.4, 0.4, 0.1: its colour strength 0.5).
    public init(brightness: Float = 0.4, contrast: Float = 0.4, saturation: Float = 0.4, hue: Float = 0.1) {
        ensure(brightness >= 0 && contrast >= 0 && saturation >= 0, "ColorJitter: strengths must not be negative")
        ensure(hue >= 0 && hue <= 0.5, "ColorJitter: hue \(hue) is outside 0...0.5")
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        let order = generator.shuffled([0, 1, 2, 3])
        func factor(_ strength: Float) -> Float { generator.nextUniform(in: max(0, 1 - strength)...(1 + strength)) }
        let factors = [factor(brightness), factor(contrast), factor(saturation), generator.nextUniform(in: -hue...hue)]
        var out = image
        for operation in order {
            switch operation {
            case 0: if brightness > 0 { out = out.adjustedBrightness(factors[0]) }
            case 1: if contrast > 0 { out = out.adjustedContrast(factors[1]) }
            case 2: if saturation > 0 { out = out.adjustedSaturation(factors[2]) }
            default: if hue > 0 { out = out.adjustedHue(factors[3]) }
            }
        }
        return out
    }
}

/// Replaces an RGB image by its luma, kept in three channels (torchvision's `Grayscale` with as
/// many output channels as input ones); grayscale images are left as they are. SimCLR applies
/// it with probability 0.2 (`RandomApply(Grayscale(), probability: 0.2)`, torchvision's
/// `RandomGrayscale`).
public struct Grayscale: ImageTransform {
    /// The transform.
    public init() {}

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        image.channels == 3 ? image.grayscale().rgb() : image
    }
}

/// Blurs with a Gaussian of random standard deviation: torchvision's `GaussianBlur`.
public struct GaussianBlur: ImageTransform {
    /// The kernel's taps per axis (odd).
    public var kernelSize: Int
    /// The range of the standard deviation in pixels, sampled uniformly.
    public var sigma: ClosedRange<Float>

    /// A blur of `kernelSize` taps and standard deviation in `sigma` (SimCLR: 0.1...2).
    public init(kernelSize: Int, sigma: ClosedRange<Float> = 0.1...2) {
        ensure(kernelSize > 0 && kernelSize % 2 == 1, "GaussianBlur: kernel size \(kernelSize) must be odd and positive")
        ensure(sigma.lowerBound > 0, "GaussianBlur: sigma \(sigma) must be positive")
        self.kernelSize = kernelSize
        self.sigma = sigma
    }

    /// SimCLR's kernel for images of side `imageSize`: 10% of it, made odd (3 for 28 or 32 pixels).
    public init(imageSize: Int, sigma: ClosedRange<Float> = 0.1...2) {
        let size = max(1, imageSize / 10)
        self.init(kernelSize: size % 2 == 0 ? size + 1 : size, sigma: sigma)
    }

    public func apply(to image: Image, generator: inout RandomGenerator) -> Image {
        image.blurred(kernelSize: kernelSize, sigma: generator.nextUniform(in: sigma))
    }
}
