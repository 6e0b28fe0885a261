import Tensors
import Testing
import Vision

/// Image values, resampling, colour operations and batching, on known pixel values.
@Suite struct ImageTests {
    @Test func layoutAndInterleavedBytes() {
        let bytes: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 51, 102, 153]  // 2x2 RGB, interleaved
        let image = bytes.withUnsafeBufferPointer { Image(interleaved: $0, channels: 3, height: 2, width: 2) }
        #expect(image.pixels == [1, 0, 0, 51, 0, 1, 0, 102, 0, 0, 1, 153].map { $0 > 1 ? $0 / 255 : $0 })  // channel planes
        #expect(image[1, 0, 1] == 1 && image[2, 1, 1] == Float(153) / 255)
        #expect(image.interleavedBytes() == bytes)
        var clamped = image
        clamped.pixels[0] = 1.7
        clamped.pixels[3] = -0.2  // red of the last pixel
        #expect(clamped.interleavedBytes() == [255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 102, 153])
    }

    @Test func batchTensorWithNormalization() {
        let a = Image(channels: 3, height: 1, width: 2, pixels: [0, 1, 0.5, 0.5, 1, 0])
        let b = Image(channels: 3, height: 1, width: 2, repeating: 0.25)
        let plain = Tensor(images: [a, b])
        #expect(plain.shape == [2, 3, 1, 2] && plain.scalars == a.pixels + b.pixels)
        let normalization = ChannelNormalization(mean: [0.5, 0.5, 0], std: [0.5, 0.25, 2])
        let normalized = Tensor(images: [a, b], normalization: normalization)
        #expect(normalized.scalars == [-1, 1, 0, 0, 0.5, 0, -0.5, -0.5, -1, -1, 0.125, 0.125])
        let estimated = ChannelNormalization.estimated(from: [a, b])
        #expect(estimated.mean == [0.375, 0.375, 0.375])
        #expect(zip(estimated.std, [0.375, 0.125, 0.375]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(ChannelNormalization.estimated(from: [b]).std == [1, 1, 1])  // constant channels
    }

    @Test func cropAndResize() {
        let image = Sample.ramp(channels: 3, height: 6, width: 8)
        let crop = image.cropped(top: 1, left: 2, height: 3, width: 4)
        #expect(crop.height == 3 && crop.width == 4 && crop[2, 0, 0] == image[2, 1, 2] && crop[1, 2, 3] == image[1, 3, 5])
        // Resizing to the same size, and resampling a crop at its own size, change nothing.
        #expect(image.resized(height: 6, width: 8) == image)
        #expect(image.resizedCrop(top: 1, left: 2, height: 3, width: 4, toHeight: 3, toWidth: 4) == crop)
        // resizedCrop is crop then resize.
        #expect(Sample.maxDifference(image.resizedCrop(top: 1, left: 2, height: 3, width: 4, toHeight: 7, toWidth: 5),
                                     crop.resized(height: 7, width: 5)) < 1e-6)
        // Doubling: bilinear with half-pixel centres (PyTorch align_corners=False), edges clamped.
        let row = Image(channels: 1, height: 1, width: 2, pixels: [0, 1]).resized(height: 1, width: 4)
        #expect(row.pixels == [0, 0.25, 0.75, 1])
        // Halving widens the triangle to 4 pixels (antialiasing, as Pillow), where plain bilinear
        // would read two of them: weights 3/4, 3/4, 1/4 from the first centre, cut at the border.
        let halved = Image(channels: 1, height: 1, width: 4, pixels: [0, 1, 0, 1]).resized(height: 1, width: 2)
        #expect(abs(halved.pixels[0] - 3.0 / 7) < 1e-6 && abs(halved.pixels[1] - 4.0 / 7) < 1e-6)
        // A constant image stays constant at any size.
        let constant = Image(channels: 1, height: 5, width: 5, repeating: 0.3).resized(height: 13, width: 3)
        #expect(constant.pixels.allSatisfy { abs($0 - 0.3) < 1e-6 })
        // The centred square of a 6x8 image is its middle 6x6 columns.
        #expect(image.centeredSquare(size: 6) == image.cropped(top: 0, left: 1, height: 6, width: 6))
    }

    @Test func flipAndBlur() {
        let image = Sample.ramp(channels: 3, height: 4, width: 5)
        let flipped = image.horizontallyFlipped()
        #expect(flipped[1, 2, 0] == image[1, 2, 4] && flipped != image)
        #expect(flipped.horizontallyFlipped() == image)
        // A blur keeps constants, keeps a symmetric impulse's mass, and spreads it.
        #expect(Image(channels: 1, height: 5, width: 5, repeating: 0.7).blurred(kernelSize: 3, sigma: 1.5)
            .pixels.allSatisfy { abs($0 - 0.7) < 1e-6 })
        var impulse = Image(channels: 1, height: 7, width: 7, repeating: 0)
        impulse[0, 3, 3] = 1
        let blurred = impulse.blurred(kernelSize: 3, sigma: 1)
        #expect(abs(blurred.pixels.reduce(0, +) - 1) < 1e-5)
        // The 1-D kernel of sigma 1 over 3 taps is exp(-1/2) : 1 : exp(-1/2), normalised.
        let side = Float(0.6065307) / (1 + 2 * 0.6065307), centre = 1 / (1 + 2 * Float(0.6065307))
        #expect(abs(blurred[0, 3, 3] - centre * centre) < 1e-6 && abs(blurred[0, 2, 3] - side * centre) < 1e-6)
        #expect(abs(blurred[0, 2, 2] - side * side) < 1e-6 && blurred[0, 1, 3] == 0)
        // Reflected borders ("reflect": column -1 mirrors column 1), so the corner pixel sees an
        // impulse next to it on both sides.
        var edge = Image(channels: 1, height: 4, width: 4, repeating: 0)
        edge[0, 0, 1] = 1
        #expect(abs(edge.blurred(kernelSize: 3, sigma: 1)[0, 0, 0] - 2 * side * centre) < 1e-6)
    }

    @Test func grayscaleWeights() {
        let image = Image(channels: 3, height: 1, width: 3, pixels: [1, 0, 0.5, 0, 1, 0.5, 0, 0, 0.5])
        let gray = image.grayscale()
        #expect(gray.channels == 1)
        #expect(abs(gray.pixels[0] - 0.2989) < 1e-6 && abs(gray.pixels[1] - 0.587) < 1e-6)
        #expect(abs(gray.pixels[2] - 0.5 * (0.2989 + 0.587 + 0.114)) < 1e-6)
        #expect(gray.grayscale() == gray && gray.rgb().pixels == gray.pixels + gray.pixels + gray.pixels)
    }

    @Test func colourAdjustments() {
        let image = Image(channels: 3, height: 1, width: 2, pixels: [0.8, 0.2, 0.4, 0.4, 0.2, 0.6])
        #expect(image.adjustedBrightness(1) == image && image.adjustedContrast(1) == image)
        #expect(image.adjustedSaturation(1) == image && image.adjustedHue(0) == image)
        #expect(image.adjustedBrightness(2).pixels == [1, 0.4, 0.8, 0.8, 0.4, 1])  // clamped
        // Contrast 0: the mean luma everywhere; saturation 0: the luma in each channel.
        let luma = image.grayscale().pixels
        let mean = (luma[0] + luma[1]) / 2
        #expect(image.adjustedContrast(0).pixels.allSatisfy { abs($0 - mean) < 1e-6 })
        #expect(Sample.maxDifference(image.adjustedSaturation(0), image.grayscale().rgb()) < 1e-6)
        // Grayscale images have no saturation or hue to change.
        let gray = image.grayscale()
        #expect(gray.adjustedSaturation(0.3) == gray && gray.adjustedHue(0.2) == gray)
    }

    @Test func hueRoundTrips() {
        // Pure red shifted by a third of a turn is pure green, by two thirds pure blue.
        let red = Image(channels: 3, height: 1, width: 1, pixels: [1, 0, 0])
        #expect(Sample.maxDifference(red.adjustedHue(1.0 / 3), Image(channels: 3, height: 1, width: 1, pixels: [0, 1, 0])) < 1e-5)
        #expect(Sample.maxDifference(red.adjustedHue(-1.0 / 3), Image(channels: 3, height: 1, width: 1, pixels: [0, 0, 1])) < 1e-5)
        // HSV conversions invert each other, and a shift and its opposite cancel.
        var generator = RandomGenerator(seed: 3)
        let colours = Tensor.uniform([3, 8, 8], generator: &generator).scalars
        let image = Image(channels: 3, height: 8, width: 8, pixels: colours)
        for shift: Float in [0.1, -0.25, 0.5, 0.37] {
            #expect(Sample.maxDifference(image.adjustedHue(shift).adjustedHue(-shift), image) < 1e-5)
        }
        for p in 0..<64 {
            let hsv = Image.hsv(red: colours[p], green: colours[64 + p], blue: colours[128 + p])
            let rgb = Image.rgb(hue: hsv.hue, saturation: hsv.saturation, value: hsv.value)
            #expect(abs(rgb.red - colours[p]) < 1e-5 && abs(rgb.green - colours[64 + p]) < 1e-5 && abs(rgb.blue - colours[128 + p]) < 1e-5)
        }
        // Hue keeps value (max channel) and saturation.
        let shifted = image.adjustedHue(0.2)
        for p in 0..<64 {
            let before = Image.hsv(red: colours[p], green: colours[64 + p], blue: colours[128 + p])
            let after = Image.hsv(red: shifted.pixels[p], green: shifted.pixels[64 + p], blue: shifted.pixels[128 + p])
            #expect(abs(before.value - after.value) < 1e-5 && abs(before.saturation - after.saturation) < 1e-4)
        }
    }

    @Test func grid() {
        let a = Image(channels: 1, height: 2, width: 2, repeating: 1), b = Image(channels: 3, height: 1, width: 3, repeating: 0)
        let sheet = Image.grid([a, b, a], columns: 2, padding: 1, scale: 2)
        // Cells of 4x6 (the largest image scaled), 2 rows and 2 columns, 1 pixel apart.
        #expect(sheet.channels == 3 && sheet.height == 1 + 2 * 5 && sheet.width == 1 + 2 * 7)
        #expect(sheet[0, 0, 0] == 0.5 && sheet[1, 1, 1] == 1 && sheet[2, 4, 4] == 1 && sheet[0, 5, 1] == 0.5)
        #expect(sheet[0, 1, 8] == 0 && sheet[0, 2, 13] == 0 && sheet[0, 3, 8] == 0.5)  // b, 2 rows tall, then padding
        #expect(sheet[0, 6, 1] == 1 && sheet[0, 6, 8] == 0.5)  // the third image; no fourth
    }
}
