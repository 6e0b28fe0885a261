import Evaluation
import Foundation
import Tensors
import TestSupport
import Testing

/// `.npy` files as NumPy writes them, and the int8 ranges kept in one.
@Suite struct NumPyMatrixTests {
    func file(_ bytes: Data) throws -> URL {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("m.npy")
        try bytes.write(to: url)
        return url
    }

    /// A version-1.0 file with `header` (padded as NumPy pads it) and `body`.
    func npy(_ header: String, _ body: [UInt8], version: UInt8 = 1) -> Data {
        let lengthBytes = version == 1 ? 2 : 4
        var text = header
        text += String(repeating: " ", count: (64 - (8 + lengthBytes + text.utf8.count + 1) % 64) % 64) + "\n"
        let n = text.utf8.count
        var data = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        data.append(contentsOf: (0..<lengthBytes).map { UInt8((n >> (8 * $0)) & 0xFF) })
        data.append(contentsOf: Array(text.utf8) + body)
        return data
    }

    @Test func writesAndReadsBackEveryElementType() throws {
        let cases: [(NumPyMatrix.Values, Int)] = [(.float32([1.5, -2, 0, 3.25, .infinity, 7]), 4), (.int8([-128, 127, 0, 1, -1, 5]), 1),
                                                  (.uint8([0, 255, 1, 2, 3, 4]), 1)]
        for (values, size) in cases {
            let matrix = NumPyMatrix(rows: 2, columns: 3, values: values)
            let data = matrix.data
            // The data starts at a multiple of 64 bytes, as NumPy aligns it.
            let start = 10 + Int(data[8]) + Int(data[9]) * 256
            #expect(start % 64 == 0 && data.count == start + 6 * size && data[start - 1] == 0x0A)
            #expect(try NumPyMatrix(contentsOf: file(data)) == matrix)
        }
    }

    /// What numpy.save writes (version 1.0 and, for large headers, 2.0): `np.arange(6, dtype='<f4').reshape(2, 3)`.
    @Test func readsNumPysOwnFiles() throws {
        let body = (0..<6).flatMap { i in withUnsafeBytes(of: Float(i).bitPattern.littleEndian, Array.init) }
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        for version: UInt8 in [1, 2] {
            let read = try NumPyMatrix(contentsOf: file(npy(header, body, version: version)))
            #expect(read == NumPyMatrix(rows: 2, columns: 3, values: .float32([0, 1, 2, 3, 4, 5])))
        }
    }

    @Test func badFilesAreOneLineNamingTheFile() throws {
        let body = [UInt8](repeating: 0, count: 24)
        let cases: [(Data, String)] = [
            (Data("hello".utf8), "not a NumPy .npy file"),
            (npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", body), "element type '>f4'"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", body + body), "element type '<f8'"),
            (npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body), "Fortran-ordered"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 1), }", body), "a two-dimensional array was expected"),
            (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Array(body.prefix(20))), "20 bytes of data for shape (2, 3)"),
        ]
        for (data, problem) in cases {
            let url = try file(data)
            let error = try #require(throws: EvaluationError.self) { try NumPyMatrix(contentsOf: url) }
            #expect(error.description.hasPrefix(url.path + ": ") && error.description.contains(problem), "\(error)")
            #expect(!error.description.contains("\n"))
        }
        let missing = URL(fileURLWithPath: "/nonexistent/ranges.npy")
        let error = try #require(throws: EvaluationError.self) { try NumPyMatrix(contentsOf: missing) }
        #expect(error.description.hasPrefix("/nonexistent/ranges.npy: cannot read"))
    }

    @Test func int8RangesRoundTripAndAreChecked() throws {
        let calibration = Int8Calibration(Tensor([-1, 0, 5, 3, 2, 5], shape: [2, 3]))
        #expect(calibration.ranges == NumPyMatrix(rows: 2, columns: 3, values: .float32([-1, 0, 5, 3, 2, 5])))
        #expect(try Int8Calibration(ranges: calibration.ranges, source: "r.npy") == calibration)
        let bad: [(NumPyMatrix, String)] = [
            (NumPyMatrix(rows: 3, columns: 2, values: .float32([0, 1, 2, 3, 4, 5])), "shape (2, dimensions), got (3, 2)"),
            (NumPyMatrix(rows: 2, columns: 1, values: .int8([0, 1])), "int8 ranges are float32"),
            (NumPyMatrix(rows: 2, columns: 2, values: .float32([0, 3, 1, 2])), "dimension 1's range [3.0, 2.0]"),
            (NumPyMatrix(rows: 2, columns: 1, values: .float32([.nan, 1])), "dimension 0's range"),
        ]
        for (matrix, problem) in bad {
            let error = try #require(throws: EvaluationError.self) { try Int8Calibration(ranges: matrix, source: "r.npy") }
            #expect(error.description.hasPrefix("r.npy: ") && error.description.contains(problem), "\(error)")
        }
    }
}
