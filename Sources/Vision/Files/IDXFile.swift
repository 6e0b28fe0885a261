import Foundation

/// The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type code,
/// the number of dimensions, each dimension as a 32-bit integer) followed by the array in
/// row-major order. Files may be gzip-compressed, as distributed.
///
/// ```swift
/// let images = try IDXFile.images(URL(fileURLWithPath: "t10k-images-idx3-ubyte.gz"))   // 10000 images
/// let labels = try IDXFile.labels(URL(fileURLWithPath: "t10k-labels-idx1-ubyte.gz"))
/// ```
public enum IDXFile {
    /// An array of unsigned bytes read from an IDX file.
    public struct Contents: Sendable, Equatable {
        /// The extent of each dimension, outermost first.
        public var dimensions: [Int]
        /// The values in row-major order (`dimensions` multiplied out).
        public var values: [UInt8]
    }

    /// The array in `file`. Only unsigned bytes (type code 0x08, what MNIST-style datasets use)
    /// are supported.
    ///
    /// - Throws: ``ImageFileError`` naming the file: missing, empty, truncated, corrupt gzip,
    ///   not IDX, another element type, or data whose size differs from the header's dimensions.
    public static func read(_ file: URL) throws(ImageFileError) -> Contents {
        var bytes = try ImageFileError.bytes(of: file)
        if Gzip.isCompressed(bytes) { bytes = try Gzip.decompressed(bytes, file: file) }
        guard bytes.count >= 4 else { throw ImageFileError(file: file, .truncated("\(bytes.count) bytes, shorter than the IDX header")) }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw ImageFileError(file: file, .unknownFormat(String(format: "magic 0x%02X%02X, IDX starts with 0x0000", bytes[0], bytes[1])))
        }
        guard bytes[2] == 0x08 else {
            throw ImageFileError(file: file, .unsupported(String(format: "IDX element type 0x%02X (only unsigned bytes, 0x08)", bytes[2])))
        }
        let rank = Int(bytes[3])
        guard rank > 0 else { throw ImageFileError(file: file, .corrupt("IDX header with 0 dimensions")) }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw ImageFileError(file: file, .truncated("\(bytes.count) bytes, the header of \(rank) dimensions needs \(headerSize)"))
        }
        let dimensions = (0..<rank).map { d in bytes[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) } }
        // The product of the non-zero extents is bounded, so that no product of extents (an
        // image's size when the count is 0, too) can overflow.
        var bounded = 1
        for extent in dimensions where extent > 0 {
            bounded *= extent
            guard bounded <= Gzip.maximumOutput else {
                throw ImageFileError(file: file, .corrupt("IDX dimensions \(dimensions) are too large"))
            }
        }
        let expected = dimensions.contains(0) ? 0 : bounded
        let found = bytes.count - headerSize
        guard found >= expected else {
            throw ImageFileError(file: file, .truncated("\(found) bytes of data, dimensions \(dimensions) need \(expected)"))
        }
        guard found == expected else {
            throw ImageFileError(file: file, .corrupt("\(found - expected) bytes after the data of dimensions \(dimensions)"))
        }
        return Contents(dimensions: dimensions, values: bytes.count == headerSize ? [] : Array(bytes[headerSize...]))
    }

    /// The grayscale images of a three-dimensional file `[count, height, width]`, values `byte / 255`.
    public static func images(_ file: URL) throws(ImageFileError) -> [Image] {
        let array = try read(file)
        guard array.dimensions.count == 3 else {
            throw ImageFileError(file: file, .mismatch("IDX images need 3 dimensions [count, height, width], found \(array.dimensions)"))
        }
        let (count, height, width) = (array.dimensions[0], array.dimensions[1], array.dimensions[2])
        guard height > 0, width > 0 else { throw ImageFileError(file: file, .mismatch("IDX images of size \(height)x\(width)")) }
        let size = height * width
        return array.values.withUnsafeBufferPointer { values in
            (0..<count).map { n in
                Image(interleaved: UnsafeBufferPointer(rebasing: values[(n * size)..<((n + 1) * size)]),
                      channels: 1, height: height, width: width)
            }
        }
    }

    /// The labels of a one-dimensional file, each below `classCount` when given.
    public static func labels(_ file: URL, classCount: Int? = nil) throws(ImageFileError) -> [Int] {
        let array = try read(file)
        guard array.dimensions.count == 1 else {
            throw ImageFileError(file: file, .mismatch("IDX labels need 1 dimension, found \(array.dimensions)"))
        }
        if let classCount, let index = array.values.firstIndex(where: { Int($0) >= classCount }) {
            throw ImageFileError(file: file, .mismatch("label \(array.values[index]) at index \(index) is not below \(classCount)"))
        }
        return array.values.map(Int.init)
    }
}
