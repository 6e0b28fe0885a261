import Tensors
import Testing
import Vision

/// The seeded image augmentations: determinism, identities, and the SimCLR recipe.
@Suite struct ImageAugmentationTests {
    func view(_ transform: some ImageTransform, _ image: Image, seed: UInt64) -> Image {
        var generator = RandomGenerator(seed: seed)
        return transform.apply(to: image, generator: &generator)
    }

    @Test func sameSeedSameOutput() {
        let image = Sample.ramp(channels: 3, height: 28, width: 28)
        let pipeline = ImagePipeline.simCLR(size: 24)
        #expect(view(pipeline, image, seed: 5) == view(pipeline, image, seed: 5))
        let outputs = Set((0..<20).map { view(pipeline, image, seed: UInt64($0)).pixels })
        #expect(outputs.count == 20)
        #expect(view(pipeline, image, seed: 1).height == 24 && view(pipeline, image, seed: 1).channels == 3)
    }

    @Test func batchViewsAreReproducibleAndIndependentOfThreads() {
        let images = (0..<64).map { i in Sample.ramp(channels: 1, height: 28, width: 28).adjustedBrightness(0.5 + Float(i) / 128) }
        let pipeline = ImagePipeline.simCLR(size: 28)
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let first = pipeline.views(of: images, generator: &a)
        #expect(first == pipeline.views(of: images, generator: &b) && a == b)
        // Each view is what the item's own generator gives, whatever thread computed it.
        var c = RandomGenerator(seed: 11)
        let stream = c.nextStream()
        for index in [0, 17, 63] {
            var item = RandomGenerator.item(index, stream: stream, seed: 11)
            #expect(first[index] == pipeline.apply(to: images[index], generator: &item))
        }
        // The next call draws new views.
        let second = pipeline.views(of: images, generator: &a)
        #expect(second != first && second.allSatisfy { $0.channels == 1 && $0.height == 28 && $0.width == 28 })
        #expect(Tensor(images: second, normalization: .fashionMNIST).shape == [64, 1, 28, 28])
    }

    @Test func fullScaleCropIsResize() {
        let image = Sample.ramp(channels: 3, height: 20, width: 30)
        let crop = RandomResizedCrop(height: 12, width: 18, scale: 1...1, ratio: 1.5...1.5)
        for seed in 0..<5 { #expect(view(crop, image, seed: UInt64(seed)) == image.resized(height: 12, width: 18)) }
    }

    @Test func cropRegionsRespectScaleAndRatio() {
        let crop = RandomResizedCrop(height: 28, width: 28)
        var generator = RandomGenerator(seed: 2)
        for _ in 0..<500 {
            let r = crop.region(imageHeight: 96, imageWidth: 96, generator: &generator)
            #expect(r.top >= 0 && r.left >= 0 && r.top + r.height <= 96 && r.left + r.width <= 96)
            let area = Float(r.height * r.width) / (96 * 96), ratio = Float(r.width) / Float(r.height)
            // Rounding the sides to pixels moves area and ratio a little past the bounds.
            #expect(area > 0.07 && area <= 1 && ratio > 0.7 && ratio < 1.4)
        }
        // No area fits 10 tries: the central crop of the nearest allowed ratio.
        let impossible = RandomResizedCrop(height: 8, width: 8, scale: 1...1, ratio: 2...3)
        let r = impossible.region(imageHeight: 30, imageWidth: 30, generator: &generator)
        #expect(r == (top: 7, left: 0, height: 15, width: 30))
    }

    @Test func flipProbability() {
        let image = Sample.ramp(channels: 1, height: 3, width: 4)
        #expect(view(RandomApply(HorizontalFlip(), probability: 1), image, seed: 0) == image.horizontallyFlipped())
        #expect(view(RandomApply(HorizontalFlip(), probability: 0), image, seed: 0) == image)
        let flips = (0..<400).filter { view(RandomApply(HorizontalFlip(), probability: 0.5), image, seed: UInt64($0)) != image }.count
        #expect(flips > 160 && flips < 240)
    }

    @Test func colourJitterAndGrayscale() {
        let image = Sample.ramp(channels: 3, height: 6, width: 6)
        // Zero strengths change nothing; jitter draws stay in [0, 1].
        #expect(view(ColorJitter(brightness: 0, contrast: 0, saturation: 0, hue: 0), image, seed: 4) == image)
        for seed in 0..<20 {
            let jittered = view(ColorJitter(), image, seed: UInt64(seed))
            #expect(jittered != image && jittered.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        // Brightness alone scales by a factor in [0.6, 1.4].
        let brighter = view(ColorJitter(brightness: 0.4, contrast: 0, saturation: 0, hue: 0), image, seed: 9)
        let factor = brighter.pixels[10] / image.pixels[10]
        #expect(factor >= 0.6 && factor <= 1.4 && Sample.maxDifference(brighter, image.adjustedBrightness(factor)) < 1e-5)
        // Grayscale images skip saturation and hue: the same draws give brightness and contrast only.
        let gray = image.grayscale()
        let grayJitter = view(ColorJitter(), gray, seed: 3)
        #expect(grayJitter.channels == 1 && grayJitter == view(ColorJitter(saturation: 0, hue: 0), gray, seed: 3))
        // Grayscale keeps three equal channels, and leaves grayscale images alone.
        #expect(view(Grayscale(), image, seed: 0) == image.grayscale().rgb() && view(Grayscale(), gray, seed: 0) == gray)
        let count = (0..<500).filter { view(RandomApply(Grayscale(), probability: 0.2), image, seed: UInt64($0)) != image }.count
        #expect(count > 70 && count < 130)  // p = 0.2
    }

    @Test func blurAndRandomApply() {
        #expect(GaussianBlur(imageSize: 28).kernelSize == 3 && GaussianBlur(imageSize: 96).kernelSize == 9)
        #expect(GaussianBlur(imageSize: 224).kernelSize == 23)
        var image = Image(channels: 1, height: 9, width: 9, repeating: 0)
        image[0, 4, 4] = 1
        let blurred = view(GaussianBlur(kernelSize: 5), image, seed: 1)
        #expect(blurred[0, 4, 4] < 1 && abs(blurred.pixels.reduce(0, +) - 1) < 1e-5)
        let applied = (0..<400).filter { view(RandomApply(GaussianBlur(kernelSize: 3), probability: 0.5), image, seed: UInt64($0)) != image }.count
        #expect(applied > 160 && applied < 240)
        #expect(view(RandomApply(Resize(height: 3, width: 3), probability: 1), image, seed: 0) == image.resized(height: 3, width: 3))
    }

    @Test func simCLRRecipe() {
        let pipeline = ImagePipeline.simCLR(size: 28)
        #expect(pipeline.transforms.count == 5)
        let crop = pipeline.transforms[0] as? RandomResizedCrop
        #expect(crop?.scale == 0.2...1 && crop?.ratio == 0.75...(4.0 / 3) && crop?.height == 28)
        #expect((pipeline.transforms[2] as? RandomApply<ColorJitter>)?.probability == 0.8)
        #expect((pipeline.transforms[1] as? RandomApply<HorizontalFlip>)?.probability == 0.5)
        #expect((pipeline.transforms[3] as? RandomApply<Grayscale>)?.probability == 0.2)
        #expect((pipeline.transforms[4] as? RandomApply<GaussianBlur>)?.transform.kernelSize == 3)
        #expect((ImagePipeline.simCLR(size: 96).transforms[0] as? RandomResizedCrop)?.scale == 0.08...1)
        #expect(ImagePipeline.simCLR(size: 28, blur: false).transforms.count == 4)
    }
}
