import Foundation
import TestSupport
import Testing
import Vision

/// The IDX, PNG and JPEG readers on fixtures, on files the tests write, and on broken files.
@Suite struct DecoderTests {
    // MARK: IDX

    @Test func idxImagesAndLabels() throws {
        // Two 2x3 images: values 0...11 scaled by 20.
        let values = (0..<12).map { UInt8($0 * 20) }
        let images = try IDXFile.images(TestPaths.write(Sample.idx([2, 2, 3], values), named: "images-idx3-ubyte"))
        #expect(images.count == 2 && images[0].channels == 1 && images[0].height == 2 && images[0].width == 3)
        #expect(images[1][0, 0, 0] == Float(120) / 255 && images[1][0, 1, 2] == Float(220) / 255)
        let labels = try IDXFile.labels(TestPaths.write(Sample.idx([4], [3, 1, 4, 1]), named: "labels-idx1-ubyte"))
        #expect(labels == [3, 1, 4, 1])
    }

    @Test func idxGzipMatchesPlain() throws {
        let values = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }  // several stored blocks
        let plain = Sample.idx([2000, 10, 10], values)
        let fromGzip = try IDXFile.read(TestPaths.write(Sample.gzip(plain), named: "images.gz"))
        #expect(fromGzip.dimensions == [2000, 10, 10] && fromGzip.values == values)
    }

    @Test func idxBrokenFiles() throws {
        let good = Sample.idx([2, 2, 2], Array(repeating: 9, count: 8))
        func error(_ bytes: [UInt8], _ expected: ImageFileError.Problem) throws {
            let file = try TestPaths.write(bytes, named: "broken-idx")
            #expect(imageFileError(naming: file) { try IDXFile.read(file) }?.problem == expected)
        }
        try error([], .empty)
        try error([0, 0, 8], .truncated("3 bytes, shorter than the IDX header"))
        try error([0x1F, 0x8C] + good.dropFirst(2), .unknownFormat("magic 0x1F8C, IDX starts with 0x0000"))
        try error([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], .unsupported("IDX element type 0x0D (only unsigned bytes, 0x08)"))
        try error(Array(good.prefix(10)), .truncated("10 bytes, the header of 3 dimensions needs 16"))
        try error(Array(good.dropLast(3)), .truncated("5 bytes of data, dimensions [2, 2, 2] need 8"))
        try error(good + [1], .corrupt("1 bytes after the data of dimensions [2, 2, 2]"))
        try error([0, 0, 8, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], .corrupt("IDX dimensions [4294967295, 4294967295] are too large"))
        // No images, but images of a size whose product overflows (found by Fuzz/Images).
        try error([0, 0, 8, 3, 0, 0, 0, 0, 0xFD, 0, 0, 0xF8, 0x82, 0x8C, 0xA0, 0xAA],
                  .corrupt("IDX dimensions [0, 4244635896, 2190254250] are too large"))
        // A gzip stream cut short, and one with a damaged block header.
        let gzip = Sample.gzip(good)
        try error(Array(gzip.dropLast(12)), .truncated("the gzip stream ends early"))
        var damaged = gzip
        damaged[10] = 0x07  // block type 3 (reserved)
        let file = try TestPaths.write(damaged, named: "damaged.gz")
        guard case .corrupt(let reason)? = imageFileError(naming: file, { try IDXFile.read(file) })?.problem else {
            Issue.record("expected a corrupt gzip")
            return
        }
        #expect(reason.hasPrefix("gzip: "))
    }

    @Test func idxShapeAndLabelMismatches() throws {
        let labelsFile = try TestPaths.write(Sample.idx([3], [0, 12, 1]), named: "labels")
        #expect(imageFileError(naming: labelsFile) { try IDXFile.labels(labelsFile, classCount: 10) }?.problem
            == .mismatch("label 12 at index 1 is not below 10"))
        #expect(imageFileError(naming: labelsFile) { try IDXFile.images(labelsFile) }?.problem
            == .mismatch("IDX images need 3 dimensions [count, height, width], found [3]"))
        let missing = URL(fileURLWithPath: "/nonexistent/images-idx3-ubyte")
        #expect(imageFileError(naming: missing) { try IDXFile.read(missing) }?.problem == .missingFile(hint: nil))
    }

    // MARK: PNG

    @Test func pngFixtures() throws {
        // RGBA: transparency composited on white.
        let rgba = try Image(contentsOf: Sample.fixture("rgba.png"))
        #expect(rgba.channels == 3 && rgba.height == 2 && rgba.width == 3)
        #expect((0..<3).map { rgba[$0, 0, 0] } == [1, 0, 0])
        #expect((0..<3).map { rgba[$0, 0, 2] } == [1, 1, 1])  // fully transparent blue
        let halfGreen = (0..<3).map { rgba[$0, 0, 1] }       // green at alpha 128 over white
        #expect(halfGreen[1] == 1 && halfGreen[0] > 0.6 && halfGreen[0] < 0.85 && halfGreen[0] == halfGreen[2])
        #expect((0..<3).map { rgba[$0, 1, 2] } == [Float(128) / 255, Float(128) / 255, Float(128) / 255])
        // 16-bit grayscale reduced to 8 bits; a palette image expanded to RGB.
        let gray = try Image(contentsOf: Sample.fixture("gray16.png"))
        #expect(gray.channels == 1 && gray.interleavedBytes() == [0, 255, 128, 1])
        let palette = try Image(contentsOf: Sample.fixture("palette.png"))
        #expect(palette.channels == 3 && palette.interleavedBytes() == [255, 0, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0])
    }

    @Test func pngRoundTrip() throws {
        for channels in [1, 3] {
            let image = Sample.ramp(channels: channels, height: 5, width: 7)
            let file = try TestPaths.temporaryDirectory().appendingPathComponent("ramp.png")
            try image.writePNG(to: file)
            let decoded = try Image(contentsOf: file)
            #expect(decoded.channels == channels && decoded.interleavedBytes() == image.interleavedBytes())
            #expect(Sample.maxDifference(decoded, image) <= 0.5 / 255 + 1e-6)
        }
    }

    @Test func pngBrokenFiles() throws {
        let good = PNG.encode(Sample.ramp(channels: 3, height: 8, width: 8))
        var badCRC = good
        badCRC[good.count / 2] ^= 0xFF  // inside the compressed data: its CRC no longer matches
        var badHeader = good
        badHeader[16] = 0xFF  // width > 2^31
        try expectCorrupt("PNG: ", [("truncated.png", Array(good.prefix(good.count - 20))), ("crc.png", badCRC),
                                    ("header.png", badHeader), ("signature-only.png", Array(good.prefix(8)))])
    }

    // MARK: JPEG

    @Test func jpegFixtures() throws {
        // 16x8: left half (200, 40, 40), right half (40, 60, 200); quality 95 stays within 6/255
        // away from the edge between the halves.
        for name in ["colour.jpg", "progressive.jpg"] {
            let image = try Image(contentsOf: Sample.fixture(name))
            #expect(image.channels == 3 && image.height == 8 && image.width == 16)
            for (x, rgb) in [(1, [200, 40, 40]), (14, [40, 60, 200])] {
                for c in 0..<3 { #expect(abs(image[c, 4, x] * 255 - Float(rgb[c])) < 6, "\(name) x \(x) channel \(c)") }
            }
        }
        // Grayscale 16x8, value 16x in column x.
        let gray = try Image(contentsOf: Sample.fixture("gray.jpg"))
        #expect(gray.channels == 1 && gray.height == 8 && gray.width == 16)
        for x in 0..<16 { #expect(abs(gray[0, 3, x] * 255 - Float(16 * x)) < 4) }
    }

    @Test func jpegBrokenFiles() throws {
        let good = try Sample.bytes("colour.jpg")
        var scrambled = good
        for i in stride(from: 200, to: good.count - 2, by: 3) { scrambled[i] = 0xFF }  // markers in the entropy data
        var badHeader = good
        badHeader[3] = 0x00  // FF 00 where a marker should follow
        try expectCorrupt("JPEG: ", [("truncated.jpg", Array(good.prefix(good.count / 2))), ("scrambled.jpg", scrambled),
                                     ("header.jpg", badHeader), ("soi-only.jpg", [0xFF, 0xD8, 0xFF])])
    }

    /// Checks that each file is rejected as corrupt with a decoder message after `prefix`.
    func expectCorrupt(_ prefix: String, _ files: [(name: String, bytes: [UInt8])]) throws {
        for (name, bytes) in files {
            let file = try TestPaths.write(bytes, named: name)
            let error = imageFileError(naming: file) { try Image(contentsOf: file) }
            guard case .corrupt(let reason)? = error?.problem else {
                Issue.record("\(name): expected a corrupt file, got \(String(describing: error))")
                continue
            }
            #expect(reason.hasPrefix(prefix) && reason.count > prefix.count, "\(name): \(reason)")
        }
    }

    // MARK: Any format

    @Test func emptyUnknownAndMissingFiles() throws {
        let empty = try TestPaths.write([UInt8](), named: "empty.png")
        #expect(imageFileError(naming: empty) { try Image(contentsOf: empty) }?.problem == .empty)
        let text = try TestPaths.write("hello", named: "hello.jpg")
        #expect(imageFileError(naming: text) { try Image(contentsOf: text) }?.problem
            == .unknownFormat("first bytes 68 65 6C 6C; PNG and JPEG are read"))
        let missing = URL(fileURLWithPath: "/nonexistent/cat.png")
        #expect(imageFileError(naming: missing) { try Image(contentsOf: missing) }?.description == "/nonexistent/cat.png: no such file")
    }
}
