import Foundation
import Testing
import Vision

/// Pillow's bicubic resize, byte for byte, against Pillow itself (`Fixtures/pillow_bicubic.json`,
/// written by `scripts/clip-preprocessing-fixture.py`), and transformers' centre crop.
@Suite struct PillowResamplingTests {
    struct Fixture: Decodable {
        struct Source: Decodable {
            let channels, height, width: Int
            let bytes: [Int]
        }
        struct Case: Decodable {
            let source, height, width: Int
            let pillow: [Int]
        }
        let sources: [Source]
        let cases: [Case]
    }

    @Test func bicubicResizeEqualsPillowByteForByte() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Sample.fixture("pillow_bicubic.json")))
        #expect(fixture.cases.count == 10)
        for c in fixture.cases {
            let s = fixture.sources[c.source]
            let image = Image(channels: s.channels, height: s.height, width: s.width, pixels: s.bytes.map { Float($0) / 255 })
            let resized = image.resizedBicubic(height: c.height, width: c.width)
            let bytes = resized.pixels.map { Int(($0 * 255).rounded()) }
            let differing = zip(bytes, c.pillow).filter { $0 != $1 }.count
            #expect(resized.height == c.height && resized.width == c.width && differing == 0,
                    "\(s.height)x\(s.width) → \(c.height)x\(c.width): \(differing) of \(bytes.count) bytes differ from Pillow's")
        }
    }

    @Test func bicubicResizeKeepsConstantsAndSizes() {
        let gray = Image(channels: 1, height: 5, width: 7, repeating: 0.4)
        #expect(gray.resizedBicubic(height: 11, width: 3).pixels.allSatisfy { $0 == 102.0 / 255 })
        let ramp = Sample.ramp(channels: 3, height: 4, width: 6)
        #expect(ramp.resizedBicubic(height: 4, width: 6).pixels == ramp.pixels.map { ($0 * 255).rounded() / 255 })
    }

    /// Offsets round down; a side shorter than the crop is centred in zeros, the odd one first.
    @Test func centerCropRoundsDownAndPadsWithZeros() {
        let image = Sample.ramp(channels: 1, height: 5, width: 6)
        #expect(image.centerCropped(height: 2, width: 3) == image.cropped(top: 1, left: 1, height: 2, width: 3))
        let padded = Image(channels: 1, height: 2, width: 1, pixels: [0.5, 1]).centerCropped(height: 5, width: 2)
        // As transformers' `center_crop` gives (checked with it): rows 2 and 3, column 1.
        #expect(padded.pixels == [0, 0, 0, 0, /* row 2 */ 0, 0.5, /* row 3 */ 0, 1, 0, 0])
        #expect(image.centerCropped(height: 5, width: 6) == image)
    }
}
