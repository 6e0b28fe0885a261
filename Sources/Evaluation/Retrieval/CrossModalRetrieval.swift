import Tensors

/// Image-text retrieval scored as in ALBEF, CLIP and VLMo: recall at K in both directions, where
/// an image may have several captions and each caption belongs to one image.
///
/// Text-to-image: a caption's query succeeds at K when its image is among the K most similar
/// images. Image-to-text: an image's query succeeds at K when any of its captions is among the K
/// most similar captions. An optional re-ranker (ALBEF's ITM head) re-scores the `rerankDepth`
/// best candidates of each query; candidates below that depth keep their order after them.
///
/// ```swift
/// let retrieval = CrossModalRetrieval(imageOfText: captionImageIndices)
/// let recall = retrieval.evaluate(similarity: textEmbeddings.matmul(imageEmbeddings, transposeOther: true))
/// print(recall.textToImage[1]!, recall.imageToText[1]!)
/// ```
public struct CrossModalRetrieval: Sendable {
    /// For caption `t`, the index of its image.
    public let imageOfText: [Int]
    /// The cut-offs reported (default 1, 5, 10).
    public let cutoffs: [Int]
    private let imageCount: Int

    /// A benchmark where caption `t` describes image `imageOfText[t]` and there are `imageCount`
    /// images (by default one more than the largest index).
    public init(imageOfText: [Int], imageCount: Int? = nil, cutoffs: [Int] = [1, 5, 10]) {
        let count = imageCount ?? ((imageOfText.max() ?? -1) + 1)
        ensure(!imageOfText.isEmpty && imageOfText.allSatisfy { (0..<count).contains($0) },
               "CrossModalRetrieval: caption image indices must lie in 0..<\(count)")
        ensure(!cutoffs.isEmpty && cutoffs.allSatisfy { $0 > 0 }, "CrossModalRetrieval: cut-offs must be positive, got \(cutoffs)")
        self.imageOfText = imageOfText
        self.imageCount = count
        self.cutoffs = cutoffs
    }

    /// Recall at each cut-off, in both directions.
    public struct Recall: Sendable, Equatable {
        /// Fraction of captions whose image is among the top K images, by K.
        public let textToImage: [Int: Double]
        /// Fraction of images with one of their captions among the top K captions, by K.
        public let imageToText: [Int: Double]

        /// The metrics under the names the CLI reports (`t2i_r1`, ..., `i2t_r10`).
        public var metrics: [String: Double] {
            var named: [String: Double] = [:]
            for (k, value) in textToImage { named["t2i_r\(k)"] = value }
            for (k, value) in imageToText { named["i2t_r\(k)"] = value }
            return named
        }
    }

    /// Re-scores candidates of one query: `(textIndex, imageIndices)` gives one score per image
    /// (higher is better), e.g. the ITM match probability.
    public typealias Reranker = (_ text: Int, _ images: [Int]) -> [Float]

    /// Recall from a `[texts, images]` similarity matrix; with `rerankTextToImage`, the first
    /// `rerankDepth` images of each caption's ranking are re-ordered by the re-ranker's scores,
    /// and with `rerankImageToText` likewise for each image's captions.
    public func evaluate(similarity: Tensor, rerankDepth: Int = 16,
                         rerankTextToImage: Reranker? = nil,
                         rerankImageToText: ((_ image: Int, _ texts: [Int]) -> [Float])? = nil) -> Recall {
        ensure(similarity.shape == [imageOfText.count, imageCount],
               "CrossModalRetrieval: similarity of shape \(similarity.shape), expected [\(imageOfText.count), \(imageCount)]")
        ensure(rerankDepth > 0, "CrossModalRetrieval: rerank depth must be positive")
        let texts = imageOfText.count, scores = similarity.scalars
        let deepest = cutoffs.max()!

        var textHits = [Int](repeating: 0, count: cutoffs.count)
        for t in 0..<texts {
            let ranking = rank(scores[(t * imageCount)..<((t + 1) * imageCount)], depth: max(deepest, rerankDepth),
                               offset: t * imageCount, rerankDepth: rerankDepth) { rerankTextToImage?(t, $0) }
            for (c, k) in cutoffs.enumerated() where ranking.prefix(k).contains(imageOfText[t]) { textHits[c] += 1 }
        }

        let transposed = withoutGradient { similarity.transposed() }.scalars
        var imageHits = [Int](repeating: 0, count: cutoffs.count)
        for i in 0..<imageCount {
            let ranking = rank(transposed[(i * texts)..<((i + 1) * texts)], depth: max(deepest, rerankDepth),
                               offset: i * texts, rerankDepth: rerankDepth) { rerankImageToText?(i, $0) }
            for (c, k) in cutoffs.enumerated() where ranking.prefix(k).contains(where: { imageOfText[$0] == i }) { imageHits[c] += 1 }
        }
        func fractions(_ hits: [Int], _ total: Int) -> [Int: Double] {
            Dictionary(uniqueKeysWithValues: zip(cutoffs, hits.map { Double($0) / Double(max(total, 1)) }))
        }
        return Recall(textToImage: fractions(textHits, texts), imageToText: fractions(imageHits, imageCount))
    }

    /// The best `depth` candidates of one query's row, best first, as indices within the row;
    /// the first `rerankDepth` are re-ordered by `rerank`'s scores when it returns some.
    private func rank(_ row: ArraySlice<Float>, depth: Int, offset: Int, rerankDepth: Int, rerank: ([Int]) -> [Float]?) -> [Int] {
        let ranking = topIndices(row, min(depth, row.count)).map { $0 - offset }
        let head = Array(ranking.prefix(rerankDepth))
        guard let scores = rerank(head) else { return ranking }
        ensure(scores.count == head.count, "CrossModalRetrieval: the re-ranker gave \(scores.count) scores for \(head.count) candidates")
        let reordered = head.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.map { head[$0] }
        return reordered + ranking.dropFirst(head.count)
    }
}
