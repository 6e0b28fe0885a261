import Foundation
import Tensors

/// How embeddings are stored for search: 4 bytes, 1 byte or 1 bit per dimension.
public enum EmbeddingPrecision: String, Sendable, CaseIterable {
    case float32
    /// Calibrated int8 codes (``Int8Calibration``).
    case int8
    /// Sign bits, 8 dimensions per byte (``BinaryCodes``).
    case binary

    /// Bytes one stored vector of `dimensions` takes (int8's ranges are shared by every vector).
    public func bytesPerVector(dimensions: Int) -> Int {
        switch self {
        case .float32: 4 * dimensions
        case .int8: dimensions
        case .binary: (dimensions + 7) / 8
        }
    }
}

/// Per-dimension ranges that map embeddings to int8 codes, as sentence-transformers' (6.3)
/// `quantize_embeddings(precision="int8")`: the minimum and maximum of each dimension over a
/// calibration set cut into 255 steps, code `clip(floor((x - min) / step), 0, 255) - 128` (256
/// buckets; values outside the calibrated range go to the end buckets; a dimension whose
/// calibration values are all equal has step 1, as sentence-transformers divides by 1 there).
///
/// ```swift
/// let calibration = Int8Calibration(corpusEmbeddings)
/// let codes = calibration.codes(queryEmbeddings)   // [Int8], row-major
/// ```
public struct Int8Calibration: Sendable, Equatable {
    /// Each dimension's smallest and largest calibration value.
    public let minimum: [Float], maximum: [Float]

    /// The ranges of the rows of `embeddings` (`[n, d]`, n at least 1).
    public init(_ embeddings: Tensor) {
        ensure(embeddings.rank == 2 && embeddings.shape[0] > 0, "Int8Calibration: needs at least one embedding, got shape \(embeddings.shape)")
        let (n, d) = (embeddings.shape[0], embeddings.shape[1])
        var low = [Float](repeating: .infinity, count: d), high = [Float](repeating: -.infinity, count: d)
        embeddings.withUnsafeBufferPointer { x in
            for r in 0..<n {
                for j in 0..<d {
                    low[j] = Swift.min(low[j], x[r * d + j])
                    high[j] = Swift.max(high[j], x[r * d + j])
                }
            }
        }
        (minimum, maximum) = (low, high)
    }

    /// Ranges as `ranges` saves them: a `[2, d]` float32 matrix, each dimension's minimum in
    /// the first row and maximum in the second (sentence-transformers' `ranges`).
    /// - Throws: `EvaluationError` naming `source` for another shape or type, a value that is not
    ///   finite, or a minimum above its maximum.
    public init(ranges: NumPyMatrix, source: String) throws {
        guard case .float32(let values) = ranges.values else { throw EvaluationError("\(source): int8 ranges are float32, not integers") }
        guard ranges.rows == 2 else {
            throw EvaluationError("\(source): int8 ranges are an array of shape (2, dimensions), got (\(ranges.rows), \(ranges.columns))")
        }
        let d = ranges.columns
        (minimum, maximum) = (Array(values[0..<d]), Array(values[d...]))
        if let j = (0..<d).first(where: { !minimum[$0].isFinite || !maximum[$0].isFinite || minimum[$0] > maximum[$0] }) {
            throw EvaluationError("\(source): dimension \(j)'s range [\(minimum[j]), \(maximum[j])] is not an interval of finite numbers")
        }
    }

    /// The ranges as a `[2, d]` float32 matrix (minimum row, maximum row), to save beside int8
    /// codes so that later embeddings (queries) are quantised the same way.
    public var ranges: NumPyMatrix { NumPyMatrix(rows: 2, columns: dimensions, values: .float32(minimum + maximum)) }

    public var dimensions: Int { minimum.count }

    /// The width of one of the 255 steps of each dimension (1 where the range is empty).
    public var steps: [Float] { zip(minimum, maximum).map { $1 > $0 ? ($1 - $0) / 255 : 1 } }

    /// The codes of `embeddings` (`[n, d]`), row-major.
    public func codes(_ embeddings: Tensor) -> [Int8] {
        ensure(embeddings.rank == 2 && embeddings.shape[1] == dimensions,
               "Int8Calibration: embeddings of shape \(embeddings.shape) for ranges of \(dimensions) dimensions")
        let steps = steps, d = dimensions
        return embeddings.scalars.enumerated().map { index, x in
            let j = index % d
            let bucket = ((x - minimum[j]) / steps[j]).rounded(.down)
            return Int8(Swift.max(0, Swift.min(255, bucket)) - 128)
        }
    }

    /// The middle of the values dimension `j`'s `code` stands for (its minimum where the range is empty).
    public func value(of code: Int8, dimension j: Int) -> Float {
        maximum[j] > minimum[j] ? minimum[j] + steps[j] * (Float(code) + 128.5) : minimum[j]
    }
}

/// Sign binarisation packed 8 dimensions to a byte, as sentence-transformers'
/// `quantize_embeddings(precision="ubinary")`: bit 1 for a value above 0, NumPy's `packbits`
/// order (the first dimension in the most significant bit), the last byte padded with 0 bits.
/// (Its `binary` precision is the same bytes minus 128, as int8.)
public enum BinaryCodes {
    /// Bytes per row of `dimensions` dimensions.
    public static func bytesPerRow(dimensions: Int) -> Int { (dimensions + 7) / 8 }

    /// The packed signs of `embeddings` (`[n, d]`), `bytesPerRow(d)` bytes per row.
    public static func pack(_ embeddings: Tensor) -> [UInt8] {
        ensure(embeddings.rank == 2, "BinaryCodes.pack: embeddings of shape \(embeddings.shape)")
        let (n, d) = (embeddings.shape[0], embeddings.shape[1]), width = bytesPerRow(dimensions: d)
        var bytes = [UInt8](repeating: 0, count: n * width)
        embeddings.withUnsafeBufferPointer { x in
            for r in 0..<n {
                for j in 0..<d where x[r * d + j] > 0 { bytes[r * width + j / 8] |= 0x80 >> UInt8(j % 8) }
            }
        }
        return bytes
    }

    /// Whether dimension `j` of the packed row starting at `offset` is positive.
    public static func bit(_ bytes: [UInt8], offset: Int, dimension j: Int) -> Bool {
        bytes[offset + j / 8] & (0x80 >> UInt8(j % 8)) != 0
    }

    /// The number of differing bits of two packed rows.
    static func hammingDistance(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: UnsafeBufferPointer<UInt8>, _ c: Int, width: Int) -> Int {
        var distance = 0
        for i in 0..<width { distance += (bytes[a + i] ^ b[c + i]).nonzeroBitCount }
        return distance
    }
}

/// Embeddings kept as int8 codes or sign bits, searched as sentence-transformers'
/// `semantic_search_faiss` / `semantic_search_usearch` do: the quantised query against the
/// quantised corpus (int8: the dot product of codes; binary: Hamming distance) picks
/// `k · rescoreMultiplier` candidates, which are rescored with the float32 query against the
/// stored vectors (binary: signs ±1; int8: each code's value, ``Int8Calibration/value(of:dimension:)``)
/// to keep the best `k`. Scores are cosines between the query and those decoded vectors.
///
/// Queries and corpus are L2-normalised first (cosine search); int8 ranges come from the corpus
/// unless given.
///
/// ```swift
/// let index = QuantizedIndex(embeddings: corpus, precision: .binary)
/// let hits = index.search(queries, k: 10, rescoreMultiplier: 4)   // [[(row, score)]], best first
/// ```
public struct QuantizedIndex: Sendable {
    /// `.int8` or `.binary`.
    public let precision: EmbeddingPrecision
    public let rows: Int, dimensions: Int
    /// int8 codes (`dimensions` per row, bit patterns of `Int8`) or packed signs.
    public let codes: [UInt8]
    /// The int8 ranges (`nil` for binary).
    public let calibration: Int8Calibration?

    /// Quantises `embeddings` (`[n, d]`, normalised here) at `precision` (`.int8` or `.binary`);
    /// int8 with `calibration`'s ranges, by default the normalised embeddings' own.
    public init(embeddings: Tensor, precision: EmbeddingPrecision, calibration: Int8Calibration? = nil) {
        ensure(precision != .float32, "QuantizedIndex: float32 embeddings need no quantisation (EmbeddingIndex searches them)")
        ensure(embeddings.rank == 2 && embeddings.shape[0] > 0, "QuantizedIndex: embeddings of shape \(embeddings.shape)")
        let unit = withoutGradient { embeddings.l2Normalized() }
        (self.precision, rows, dimensions) = (precision, embeddings.shape[0], embeddings.shape[1])
        if precision == .int8 {
            let ranges = calibration ?? Int8Calibration(unit)
            self.calibration = ranges
            codes = ranges.codes(unit).map { UInt8(bitPattern: $0) }
        } else {
            self.calibration = nil
            codes = BinaryCodes.pack(unit)
        }
    }

    /// Bytes each stored vector takes.
    public var bytesPerVector: Int { precision.bytesPerVector(dimensions: dimensions) }

    /// For each row of `queries` (`[q, d]`), the `k` best rows (at most the corpus) with their
    /// scores, best first, equal scores by lower row; candidates are the `k · rescoreMultiplier`
    /// best by the quantised score (1: the quantised top k, reordered by the rescoring).
    public func search(_ queries: Tensor, k: Int, rescoreMultiplier: Int) -> [[(row: Int, score: Float)]] {
        ensure(k > 0 && rescoreMultiplier > 0, "QuantizedIndex.search: k \(k) and rescore multiplier \(rescoreMultiplier) must be positive")
        ensure(queries.rank == 2 && queries.shape[1] == dimensions, "QuantizedIndex.search: queries of shape \(queries.shape) for \(dimensions) dimensions")
        let unit = withoutGradient { queries.l2Normalized() }
        let q = unit.shape[0], d = dimensions
        let floats = unit.scalars
        let candidateCount = Swift.min(rows, k * rescoreMultiplier), keep = Swift.min(rows, k)
        let quantised: [UInt8] = precision == .int8 ? calibration!.codes(unit).map { UInt8(bitPattern: $0) } : BinaryCodes.pack(unit)
        let width = precision == .int8 ? d : BinaryCodes.bytesPerRow(dimensions: d)
        return (0..<q).map { i in
            let candidates = topIndices(quantisedScores(quantised, offset: i * width)[...], candidateCount)
            let query = floats[(i * d)..<((i + 1) * d)]
            let rescored = candidates.map { rescore(query, row: $0) }
            return topIndices(rescored[...], keep).map { (row: candidates[$0], score: rescored[$0]) }
        }
    }

    /// The quantised score of every row for the quantised query at `offset` of `query`: larger is closer.
    private func quantisedScores(_ query: [UInt8], offset: Int) -> [Float] {
        let d = dimensions
        return query.withUnsafeBufferPointer { q in
            codes.withUnsafeBufferPointer { stored in
                if precision == .binary {
                    let width = BinaryCodes.bytesPerRow(dimensions: d)
                    return (0..<rows).map { -Float(BinaryCodes.hammingDistance(q, offset, stored, $0 * width, width: width)) }
                }
                return (0..<rows).map { r in
                    var sum: Int32 = 0
                    for j in 0..<d { sum &+= Int32(Int8(bitPattern: q[offset + j])) * Int32(Int8(bitPattern: stored[r * d + j])) }
                    return Float(sum)
                }
            }
        }
    }

    /// The cosine of the float32 `query` (unit length) and the vector row `row` stands for.
    private func rescore(_ query: ArraySlice<Float>, row: Int) -> Float {
        let d = dimensions
        var dot: Float = 0, norm: Float = 0
        for (j, x) in query.enumerated() {
            let v: Float
            if let calibration {
                v = calibration.value(of: Int8(bitPattern: codes[row * d + j]), dimension: j)
            } else {
                v = BinaryCodes.bit(codes, offset: row * BinaryCodes.bytesPerRow(dimensions: d), dimension: j) ? 1 : -1
            }
            dot += x * v
            norm += v * v
        }
        return norm > 0 ? dot / norm.squareRoot() : 0
    }
}
