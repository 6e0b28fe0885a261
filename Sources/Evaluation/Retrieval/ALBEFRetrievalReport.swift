import Foundation
import Models
import Vision

/// ALBEF's retrieval evaluation: recall at 1, 5 and 10 in both directions by ITC similarity alone
/// and, when the validation split chose to use ITM (``ITMReranking``), with ITM re-ranking.
public enum ALBEFRetrievalReport {
    /// Metrics named `itc_t2i_r1`, ... and, with a `reranking` that uses ITM, `itm_t2i_r1`, ...
    /// (the re-ranked ones).
    public static func evaluate(_ model: ALBEF, on data: CaptionedImages, reranking: ITMReranking? = nil, quiet: Bool) -> [String: Double] {
        let pairs = data.pairs
        let index = ALBEFRetrieval(model: model, images: data.images, texts: pairs.map(\.caption))
        let retrieval = CrossModalRetrieval(imageOfText: pairs.map(\.image), imageCount: data.count)
        var metrics: [String: Double] = [:]
        for (name, value) in retrieval.evaluate(similarity: index.similarity).metrics { metrics["itc_\(name)"] = value }
        if let reranking, reranking.isUsed {
            let bar = ProgressBar(total: pairs.count + data.count, label: "itm re-rank", unit: "queries", quiet: quiet)
            let rescored = retrieval.evaluate(similarity: index.similarity, reranking: reranking,
                                              textToImage: { bar.advance(); return index.matchScores(text: $0, images: $1) },
                                              imageToText: { bar.advance(); return index.matchScores(image: $0, texts: $1) })
            bar.finish()
            for (name, value) in rescored.metrics { metrics["itm_\(name)"] = value }
        }
        return metrics
    }

    /// The metrics as two human-readable lines.
    public static func lines(_ metrics: [String: Double]) -> [String] {
        ["itc", "itm"].compactMap { prefix in
            guard metrics["\(prefix)_t2i_r1"] != nil else { return nil }
            let cells = ["t2i", "i2t"].flatMap { direction in [1, 5, 10].map { "\(direction) R@\($0) \(String(format: "%.1f", 100 * metrics["\(prefix)_\(direction)_r\($0)"]!))" } }
            return (prefix == "itc" ? "ITC only:      " : "ITM re-ranked: ") + cells.joined(separator: ", ")
        }
    }
}
