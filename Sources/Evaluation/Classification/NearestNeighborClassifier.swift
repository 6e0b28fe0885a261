import Foundation
import Tensors

/// Weighted k-nearest-neighbour classification of frozen features by cosine similarity, the
/// monitor of instance discrimination, MoCo and DINO: each of the `k` most similar training
/// examples votes for its class with weight `exp(similarity / temperature)`.
///
/// ```swift
/// let knn = NearestNeighborClassifier(features: trainFeatures, labels: trainLabels)
/// let accuracy = knn.accuracy(testFeatures, labels: testLabels)
/// ```
public struct NearestNeighborClassifier {
    /// Neighbours that vote (default 200, as Wu et al. 2018).
    public let k: Int
    /// Sharpness of the similarity weights (default 0.07).
    public let temperature: Float
    private let bank: Tensor
    private let labels: [Int]
    private let classes: Int

    /// A classifier over the memory bank `features` (`[n, d]`) with their class `labels`.
    public init(features: Tensor, labels: [Int], k: Int = 200, temperature: Float = 0.07) {
        ensure(features.rank == 2 && features.shape[0] == labels.count && !labels.isEmpty,
               "NearestNeighborClassifier: features of shape \(features.shape) for \(labels.count) labels")
        ensure(k > 0 && temperature > 0, "NearestNeighborClassifier: k (\(k)) and temperature (\(temperature)) must be positive")
        ensure(labels.allSatisfy { $0 >= 0 }, "NearestNeighborClassifier: labels must be non-negative class indices")
        self.bank = withoutGradient { features.l2Normalized() }
        self.labels = labels
        self.classes = labels.max()! + 1
        self.k = min(k, labels.count)
        self.temperature = temperature
    }

    /// The predicted class of each row of `queries` (`[q, d]`).
    public func predict(_ queries: Tensor) -> [Int] {
        ensure(queries.rank == 2 && queries.shape[1] == bank.shape[1],
               "NearestNeighborClassifier: queries of shape \(queries.shape) for a bank of width \(bank.shape[1])")
        let n = bank.shape[0], q = queries.shape[0]
        var predictions: [Int] = []
        predictions.reserveCapacity(q)
        // Blocks of queries bound the similarity matrix's memory for large test sets.
        for start in stride(from: 0, to: q, by: 1024) {
            let rows = Array(start..<min(start + 1024, q))
            let similarity = withoutGradient { queries.indexSelect(axis: 0, rows).l2Normalized().matmul(bank, transposeOther: true) }.scalars
            for r in rows.indices {
                let row = similarity[(r * n)..<((r + 1) * n)]
                var votes = [Float](repeating: 0, count: classes)
                for j in topIndices(row, k) { votes[labels[j - r * n]] += Float(exp(Double((row[j] - 1) / temperature))) }
                predictions.append(votes.indices.max { votes[$0] < votes[$1] || (votes[$0] == votes[$1] && $0 > $1) }!)
            }
        }
        return predictions
    }

    /// Fraction of `queries` whose predicted class equals `labels`.
    public func accuracy(_ queries: Tensor, labels: [Int]) -> Double {
        ensure(labels.count == queries.shape.first, "NearestNeighborClassifier: \(labels.count) labels for queries of shape \(queries.shape)")
        return Double(zip(predict(queries), labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}

/// Indices (into the slice's own index space) of the `k` largest values, best first, ties by
/// lower index; a bounded insertion list keeps this O(n·k) without sorting the whole row.
func topIndices(_ values: ArraySlice<Float>, _ k: Int) -> [Int] {
    var best: [Int] = []
    best.reserveCapacity(k + 1)
    for i in values.indices {
        if best.count == k, values[i] <= values[best[k - 1]] { continue }
        var position = best.count
        while position > 0, values[best[position - 1]] < values[i] { position -= 1 }
        best.insert(i, at: position)
        if best.count > k { best.removeLast() }
    }
    return best
}
