import Foundation
import Testing
import Vision

/// Fixtures and helpers shared by the Vision tests.
enum Sample {
    /// The test fixture `name` (Fixtures/README.md says how each was made).
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    /// The bytes of fixture `name`.
    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: fixture(name))) }

    /// An image whose value at (c, y, x) is distinct and in [0, 1].
    static func ramp(channels: Int, height: Int, width: Int) -> Image {
        let count = channels * height * width
        return Image(channels: channels, height: height, width: width, pixels: (0..<count).map { Float($0) / Float(count) })
    }

    /// The largest absolute difference between two images' values.
    static func maxDifference(_ a: Image, _ b: Image) -> Float {
        zip(a.pixels, b.pixels).map { abs($0 - $1) }.max() ?? 0
    }

    /// An IDX file of unsigned bytes with `dimensions` and `values`.
    static func idx(_ dimensions: [Int], _ values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: d >> $0) } }
        return bytes + values
    }

    /// `data` in a gzip stream of stored (uncompressed) deflate blocks, written by hand so the
    /// tests do not need a compressor.
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        var blocks = stride(from: 0, to: data.count, by: 65535).map { Array(data[$0..<min($0 + 65535, data.count)]) }
        if blocks.isEmpty { blocks = [[]] }
        for (index, block) in blocks.enumerated() {
            let length = UInt16(block.count)
            out += [index == blocks.count - 1 ? 1 : 0, UInt8(length & 0xFF), UInt8(length >> 8),
                    UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += block
        }
        return out + littleEndian(crc32(data)) + littleEndian(UInt32(truncatingIfNeeded: data.count))
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) } }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// The error `body` throws, checked to be a one-line ``ImageFileError`` naming `file`.
func imageFileError<T>(naming file: URL, _ body: () throws -> T) -> ImageFileError? {
    do {
        _ = try body()
        Issue.record("expected an error for \(file.lastPathComponent)")
        return nil
    } catch let error as ImageFileError {
        #expect(!error.description.contains("\n"))
        #expect(error.description.hasPrefix(file.path + ": "), "\(error)")
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
