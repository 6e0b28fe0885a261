/// The scores of an encoder on a semantic textual similarity dataset.
public struct STSResult: Sendable {
    /// Spearman correlation x100 between gold scores and predicted cosines (the figure STS papers report).
    public let spearman: Double
    /// Pearson correlation x100 between gold scores and predicted cosines.
    public let pearson: Double
    /// Pairs evaluated.
    public let pairs: Int
    /// Alignment (α = 2) over the pairs scored above 4, as SimCSE reports it; `nil` when none is.
    public let alignment: Double?
    /// Uniformity (t = 2) over the distinct sentences' embeddings; `nil` with fewer than two.
    public let uniformity: Double?
    /// Gold score of each pair, in dataset order.
    public let goldScores: [Double]
    /// Cosine similarity of each pair's embeddings, in dataset order (for scatter plots).
    public let predictedScores: [Double]

    /// The result as named metrics (`spearman`, `pearson`, `pairs`, and `alignment`,
    /// `uniformity` when defined), each prefixed by `prefix` and `_` unless it is empty.
    public func metrics(prefix: String = "") -> [String: Double] {
        let values: [(String, Double?)] = [
            ("spearman", spearman), ("pearson", pearson), ("pairs", Double(pairs)),
            ("alignment", alignment), ("uniformity", uniformity),
        ]
        return Dictionary(uniqueKeysWithValues: values.compactMap { name, value in
            value.map { (prefix.isEmpty ? name : "\(prefix)_\(name)", $0) }
        })
    }
}
