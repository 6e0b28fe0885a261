import Evaluation
import Foundation
import Tensors
import Testing

/// int8 calibration, sign packing, quantised search (Hamming and int8 candidates) against brute
/// force on the decoded vectors, and rescoring.
@Suite struct QuantizationTests {
    @Test func int8RangesAndCodesFollowTheCalibrationSet() {
        // Ranges with steps exact in binary: dimension 0 [-1, -1 + 255/64] (step 1/64), dimension 1
        // [0, 255/128] (step 1/128), dimension 2 constant.
        let calibration = Int8Calibration(Tensor([-1, 0, 5, 2.984375, 1.9921875, 5, 0, 1, 5], shape: [3, 3]))
        #expect(calibration.minimum == [-1, 0, 5] && calibration.maximum == [2.984375, 1.9921875, 5])
        #expect(calibration.steps == [Float(1) / 64, Float(1) / 128, 1], "an empty range divides by 1")
        // clip(floor((x - min) / step), 0, 255) - 128: the ends map to -128 and 127; 128.5 steps is
        // bucket 128 (code 0), 127.5 is code -1, 125.5 code -3, 130.5 code 2; values outside the
        // range go to the end buckets; the constant dimension counts whole units above its value.
        let x = Tensor([-1, 1.9921875, 5, 2.984375, 0, 7, 1.0078125, 0.99609375, 5, 0.9609375, 1.01953125, 5, -9, 9, 4], shape: [5, 3])
        #expect(calibration.codes(x) == [-128, 127, -128, 127, -128, -126, 0, -1, -128, -3, 2, -128, -128, 127, -128])
        // Decoding gives the middle of the values each code stands for.
        #expect(calibration.value(of: 2, dimension: 1) == 130.5 / 128)
        #expect(calibration.value(of: -2, dimension: 1) == 126.5 / 128)
        #expect(calibration.value(of: 0, dimension: 1) == 128.5 / 128)
        #expect(calibration.value(of: -126, dimension: 2) == 5)
    }

    @Test func signsPackEightToAByteFirstDimensionHighest() {
        // 10 dimensions: 2 bytes per row, the last 6 bits padding.
        let x = Tensor([1, -1, 0, 2, -3, 0.5, 0.5, -0.1, 1, 1,
                        -1, -1, -1, -1, -1, -1, -1, 1, -1, -1], shape: [2, 10])
        let bytes = BinaryCodes.pack(x)
        #expect(BinaryCodes.bytesPerRow(dimensions: 10) == 2)
        #expect(bytes == [0b1001_0110, 0b1100_0000, 0b0000_0001, 0b0000_0000])
        let signs = x.scalars
        for r in 0..<2 { for j in 0..<10 { #expect(BinaryCodes.bit(bytes, offset: r * 2, dimension: j) == (signs[r * 10 + j] > 0)) } }
        #expect(EmbeddingPrecision.binary.bytesPerVector(dimensions: 384) == 48 && EmbeddingPrecision.float32.bytesPerVector(dimensions: 384) == 1536)
    }

    /// Brute force on unpacked signs: with every row a candidate, binary search returns each row's
    /// cosine with its ±1 vector, in order; with one candidate per result, the rows of smallest
    /// Hamming distance (ties by row).
    @Test func binarySearchIsBruteForceOnTheUnpackedSigns() {
        let (n, d) = (40, 13)
        let corpus = Tensor.randn([n, d], seed: 31), queries = Tensor.randn([3, d], seed: 32)
        let index = QuantizedIndex(embeddings: corpus, precision: .binary)
        #expect(index.bytesPerVector == 2 && index.codes.count == n * 2)
        let c = corpus.scalars, unitQueries = queries.l2Normalized().scalars
        for (i, hits) in index.search(queries, k: 5, rescoreMultiplier: 8).enumerated() {
            let q = unitQueries[(i * d)..<((i + 1) * d)]
            let cosines = (0..<n).map { r in
                zip(q, c[(r * d)..<((r + 1) * d)]).reduce(Float(0)) { $0 + $1.0 * ($1.1 > 0 ? 1 : -1) } / Float(d).squareRoot()
            }
            let expected = (0..<n).sorted { cosines[$0] != cosines[$1] ? cosines[$0] > cosines[$1] : $0 < $1 }.prefix(5)
            #expect(hits.map(\.row) == Array(expected))
            for hit in hits { #expect(abs(hit.score - cosines[hit.row]) < 1e-5) }
        }
        let querySigns = queries.scalars
        for (i, hits) in index.search(queries, k: 4, rescoreMultiplier: 1).enumerated() {
            let hamming = (0..<n).map { r in (0..<d).count { j in (querySigns[i * d + j] > 0) != (c[r * d + j] > 0) } }
            let nearest = Set((0..<n).sorted { hamming[$0] != hamming[$1] ? hamming[$0] < hamming[$1] : $0 < $1 }.prefix(4))
            #expect(Set(hits.map(\.row)) == nearest)
        }
    }

    /// int8: candidates by the dot product of codes, rescored by the float32 query against each
    /// code's value; with every row a candidate this is brute force on the decoded vectors.
    @Test func int8SearchRescoresWithTheDecodedVectors() {
        let (n, d) = (30, 8)
        let corpus = Tensor.randn([n, d], seed: 41), queries = Tensor.randn([2, d], seed: 42)
        let index = QuantizedIndex(embeddings: corpus, precision: .int8)
        let calibration = index.calibration!
        #expect(calibration == Int8Calibration(corpus.l2Normalized()) && index.bytesPerVector == d)
        let codes = calibration.codes(corpus.l2Normalized()), unitQueries = queries.l2Normalized().scalars
        let queryCodes = calibration.codes(queries.l2Normalized())
        for (i, hits) in index.search(queries, k: 6, rescoreMultiplier: 5).enumerated() {
            let q = unitQueries[(i * d)..<((i + 1) * d)]
            let cosines = (0..<n).map { r in
                let v = (0..<d).map { calibration.value(of: codes[r * d + $0], dimension: $0) }
                return zip(q, v).reduce(Float(0)) { $0 + $1.0 * $1.1 } / v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            }
            let expected = (0..<n).sorted { cosines[$0] != cosines[$1] ? cosines[$0] > cosines[$1] : $0 < $1 }.prefix(6)
            #expect(hits.map(\.row) == Array(expected))
            for hit in hits { #expect(abs(hit.score - cosines[hit.row]) < 1e-5) }
        }
        // One candidate per result: the rows with the largest code dot products, ties by row.
        for (i, hits) in index.search(queries, k: 3, rescoreMultiplier: 1).enumerated() {
            let dots = (0..<n).map { r in (0..<d).reduce(0) { $0 + Int(queryCodes[i * d + $1]) * Int(codes[r * d + $1]) } }
            #expect(Set(hits.map(\.row)) == Set((0..<n).sorted { dots[$0] != dots[$1] ? dots[$0] > dots[$1] : $0 < $1 }.prefix(3)))
        }
    }

    /// Rescoring matters: a small candidate pool misses float32's results that a larger one finds,
    /// and with every row rescored, binary search ranks as brute force on the signs does.
    @Test func moreCandidatesFindMoreOfFloat32sResults() {
        let (n, d) = (300, 32)
        let corpus = Tensor.randn([n, d], seed: 51), queries = Tensor.randn([20, d], seed: 52)
        let exact = EmbeddingIndex(sentences: (0..<n).map(String.init), embeddings: corpus).search(queries, k: 10)
        let index = QuantizedIndex(embeddings: corpus, precision: .binary)
        func found(_ multiplier: Int) -> Int {
            zip(index.search(queries, k: 10, rescoreMultiplier: multiplier), exact).reduce(0) { sum, pair in
                sum + pair.0.count { hit in pair.1.contains { $0.row == hit.row } }
            }
        }
        let (one, ten) = (found(1), found(10))
        #expect(one < ten, "\(one) vs \(ten) of 200")
        #expect(ten < 200)
    }
}

/// hnswlib's graph behind ``HNSWIndex``: cosines as exact search computes them, most of exact
/// search's neighbours, the same graph from the same rows.
@Suite struct HNSWIndexTests {
    @Test func findsMostOfExactSearchsNeighboursWithTheirCosines() throws {
        let (n, d) = (2000, 16)
        let corpus = Tensor.randn([n, d], seed: 61), queries = Tensor.randn([50, d], seed: 62)
        let exact = EmbeddingIndex(sentences: (0..<n).map(String.init), embeddings: corpus).search(queries, k: 10)
        let index = try HNSWIndex(embeddings: corpus)
        let hits = index.search(queries, k: 10)
        let unitCorpus = corpus.l2Normalized().scalars, unitQueries = queries.l2Normalized().scalars
        var found = 0
        for (q, (approximate, reference)) in zip(hits, exact).enumerated() {
            #expect(approximate.count == 10 && zip(approximate, approximate.dropFirst()).allSatisfy { $0.score >= $1.score })
            for hit in approximate {
                let cosine = (0..<d).reduce(Float(0)) { $0 + unitQueries[q * d + $1] * unitCorpus[hit.row * d + $1] }
                #expect(abs(hit.score - cosine) < 1e-5)
            }
            found += approximate.count { hit in reference.contains { $0.row == hit.row } }
        }
        // hnswlib's usual settings find nearly all of the 500; a broken graph or label mix-up finds few.
        #expect(found >= 475, "\(found) of 500")
        #expect(index.bytesPerVector >= 4 * d + 2 * HNSWIndex.connections * 4)
        // The same rows give the same graph.
        let again = try HNSWIndex(embeddings: corpus).search(queries, k: 10)
        #expect(zip(again, hits).allSatisfy { $0.map(\.row) == $1.map(\.row) })
        // A corpus smaller than k gives every row.
        #expect(try HNSWIndex(embeddings: Tensor.randn([3, d], seed: 63)).search(queries, k: 10).allSatisfy { Set($0.map(\.row)) == [0, 1, 2] })
    }
}
