import Foundation

/// A two-dimensional array in NumPy's `.npy` format (version 1.0 written; 1.0, 2.0 and 3.0
/// read): how `encode` writes embeddings, int8 codes and packed bits, and how int8 ranges are
/// saved and read back (the `[2, d]` array sentence-transformers' `quantize_embeddings` takes as
/// `ranges`).
public struct NumPyMatrix: Equatable, Sendable {
    /// The element type and the values, row-major.
    public enum Values: Equatable, Sendable {
        case float32([Float])
        case int8([Int8])
        case uint8([UInt8])
    }

    public let rows: Int, columns: Int
    public let values: Values

    /// A `[rows, columns]` matrix of `values` (row-major, `rows * columns` of them).
    public init(rows: Int, columns: Int, values: Values) {
        let count = switch values {
        case .float32(let v): v.count
        case .int8(let v): v.count
        case .uint8(let v): v.count
        }
        precondition(count == rows * columns, "NumPyMatrix: \(count) values for \(rows) x \(columns)")
        (self.rows, self.columns, self.values) = (rows, columns, values)
    }

    /// The file's bytes: magic, version 1.0, the header dictionary padded to a multiple of 64
    /// bytes, then the values little-endian.
    public var data: Data {
        let body: Data
        switch values {
        case .float32(let v): body = v.withUnsafeBytes { Data($0) }
        case .int8(let v): body = v.withUnsafeBytes { Data($0) }
        case .uint8(let v): body = Data(v)
        }
        var header = "{'descr': '\(Self.descriptor(of: values))', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(body)
        return data
    }

    private static func descriptor(of values: Values) -> String {
        switch values {
        case .float32: "<f4"
        case .int8: "|i1"
        case .uint8: "|u1"
        }
    }

    /// Reads a two-dimensional float32, int8 or uint8 `.npy` file in C order.
    /// - Throws: `EvaluationError` naming `url` and what is wrong (not a `.npy` file, another
    ///   element type or rank, Fortran order, a truncated body).
    public init(contentsOf url: URL) throws {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch {
            throw EvaluationError("\(url.path): cannot read (\((error as NSError).localizedFailureReason ?? "no such file or not readable"))")
        }
        func fail(_ problem: String) -> EvaluationError { EvaluationError("\(url.path): \(problem)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8), (1...3).contains(bytes[6]) else {
            throw fail("not a NumPy .npy file (no \\x93NUMPY magic of version 1, 2 or 3)")
        }
        let wide = bytes[6] >= 2  // versions 2 and 3 have a 4-byte header length
        let lengthBytes = wide ? 4 : 2
        guard bytes.count >= 8 + lengthBytes else { throw fail("truncated .npy header") }
        let length = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + length, let header = String(bytes: bytes[start..<(start + length)], encoding: .utf8) else {
            throw fail("truncated .npy header")
        }
        func field(_ name: String, until terminator: Character) -> Substring? {
            guard let key = header.range(of: "'\(name)':") else { return nil }
            let rest = header[key.upperBound...].drop { $0 == " " }
            guard let end = rest.dropFirst().firstIndex(of: terminator) else { return nil }
            return rest[rest.startIndex...end]
        }
        guard !header.contains("'fortran_order': True") else { throw fail("Fortran-ordered array; save it in C order (numpy.ascontiguousarray)") }
        guard header.contains("'fortran_order': False") else { throw fail(".npy header without fortran_order") }
        guard let shapeText = field("shape", until: ")") else { throw fail(".npy header without a shape") }
        let dims = shapeText.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard dims.count == 2, let rows = Int(dims[0]), let columns = Int(dims[1]), rows >= 0, columns >= 0 else {
            throw fail("shape \(shapeText): a two-dimensional array was expected")
        }
        guard let descriptor = field("descr", until: "'") else { throw fail(".npy header without descr") }
        let body = Array(bytes[(start + length)...])
        let elementSize = ["'<f4'": 4, "'|i1'": 1, "'|u1'": 1][String(descriptor)]
        guard let elementSize else { throw fail("element type \(descriptor): float32 ('<f4'), int8 or uint8 was expected") }
        guard body.count == rows * columns * elementSize else {
            throw fail("\(body.count) bytes of data for shape (\(rows), \(columns)) of \(descriptor) (\(rows * columns * elementSize) expected)")
        }
        let values: Values
        switch descriptor {
        case "'<f4'":
            values = .float32(body.withUnsafeBytes { raw in (0..<(rows * columns)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } })
        case "'|i1'": values = .int8(body.map { Int8(bitPattern: $0) })
        default: values = .uint8(body)
        }
        self.init(rows: rows, columns: columns, values: values)
    }
}
