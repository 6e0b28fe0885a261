import Foundation
import Models
import Tensors
import Vision

/// How a model re-ranks retrieval candidates with its image-text matching (ITM) head, chosen on a
/// validation split and stored with the model (``fileName``): each query's best `depth`
/// candidates by ITC are re-ordered by ITC's cosine similarity plus `weight` times ITM's log-odds
/// of a match. Weight 0 means ITM did not beat ITC on the validation split, and re-ranking is
/// refused rather than allowed to make retrieval worse.
///
/// Why a mix and not ITM alone (ALBEF's code): a small fusion encoder trained from scratch on a
/// few thousand images without hand-made negative captions scores near-duplicates of the right
/// image (one attribute or the relation changed) about as high as the right one, while ITC's
/// ranking of them is better; ITM alone then re-orders ITC's correct top-1 away. How much ITM to
/// trust differs by model and data, so it is measured rather than fixed.
///
/// ```swift
/// let reranking = ITMReranking.calibrate(model, on: validation)
/// try reranking.save(to: folder)
/// ```
public struct ITMReranking: Codable, Equatable, Sendable {
    /// ITM's log-odds weight next to the cosine similarity (0: ITM is not used).
    public var weight: Double
    /// Candidates per query re-ranked.
    public var depth: Int
    /// R@1 on the validation split in both directions: by ITC (`itc_t2i_r1`), re-ranked as chosen
    /// (`itm_…`, when used) or at best (`best_itm_…`, when not), and by ITM alone over the top 16
    /// (`itm_alone_…`).
    public var validation: [String: Double]
    /// Images and captions of the validation split.
    public var images: Int, captions: Int

    /// A re-ranking with `weight` and `depth`, measured on a validation split of `images` images
    /// and `captions` captions as `validation` says.
    public init(weight: Double, depth: Int, validation: [String: Double], images: Int, captions: Int) {
        (self.weight, self.depth, self.validation, self.images, self.captions) = (weight, depth, validation, images, captions)
    }

    /// The file in a model folder.
    public static let fileName = "itm_rerank.json"
    /// The weights tried (the largest ranks by ITM alone but for ties).
    public static let weights: [Double] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 100]
    /// The depths tried.
    public static let depths = [2, 4, 8, 16]
    /// How much the mean of both directions' R@1 must rise on the validation split for ITM to be
    /// used: half a point, so that a choice among the grid fitted to a few hundred queries' noise
    /// does not turn into a loss on other data.
    public static let margin = 0.005

    /// Whether ITM re-ranks at all.
    public var isUsed: Bool { weight > 0 }

    /// The re-ranking score of a candidate with cosine similarity `similarity` and ITM match
    /// probability `probability`.
    public func score(similarity: Float, probability: Float) -> Float {
        let p = min(max(Double(probability), 1e-7), 1 - 1e-7)
        return Float(Double(similarity) + weight * log(p / (1 - p)))
    }

    /// The weight and depth that maximise the mean of text-to-image and image-to-text R@1 on a
    /// validation split, or weight 0 when none beats ITC by ``margin``.
    ///
    /// - Parameters:
    ///   - similarity: `[texts, images]` ITC cosine similarities of the validation split.
    ///   - imageOfText: the image of each caption.
    ///   - textToImage: ITM match probabilities of a caption with candidate images.
    ///   - imageToText: ITM match probabilities of an image with candidate captions.
    public static func calibrate(similarity: Tensor, imageOfText: [Int], textToImage: (Int, [Int]) -> [Float],
                                 imageToText: (Int, [Int]) -> [Float]) -> ITMReranking {
        let (texts, images) = (similarity.shape[0], similarity.shape[1])
        ensure(imageOfText.count == texts, "ITMReranking: \(imageOfText.count) caption owners for \(texts) captions")
        let deepest = depths.max()!
        let rows = similarity.scalars, columns = withoutGradient { similarity.transposed() }.scalars
        // Each query's candidates by ITC, their similarities, ITM probabilities and which are right.
        typealias Query = (similarities: [Float], probabilities: [Float], correct: [Bool])
        func queries(_ count: Int, _ width: Int, _ scores: [Float], _ match: (Int, [Int]) -> [Float], _ isRight: (Int, Int) -> Bool) -> [Query] {
            (0..<count).map { q in
                let row = Array(scores[(q * width)..<((q + 1) * width)])
                let candidates = Array(row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(deepest))
                return (candidates.map { row[$0] }, match(q, candidates), candidates.map { isRight(q, $0) })
            }
        }
        let t2i = queries(texts, images, rows, textToImage) { imageOfText[$0] == $1 }
        let i2t = queries(images, texts, columns, imageToText) { imageOfText[$1] == $0 }
        func recall(_ queries: [Query], _ reranking: ITMReranking) -> Double {
            let hits = queries.filter { q in
                let head = 0..<min(reranking.depth, q.similarities.count)
                let best = head.max { a, b in
                    let (x, y) = (reranking.score(similarity: q.similarities[a], probability: q.probabilities[a]),
                                  reranking.score(similarity: q.similarities[b], probability: q.probabilities[b]))
                    return x < y || (x == y && a > b)
                }
                return best.map { q.correct[$0] } ?? false
            }.count
            return Double(hits) / Double(max(queries.count, 1))
        }
        func measured(_ weight: Double, _ depth: Int) -> (ITMReranking, Double) {
            var r = ITMReranking(weight: weight, depth: depth, validation: [:], images: images, captions: texts)
            let (t, i) = (recall(t2i, r), recall(i2t, r))
            r.validation = ["t2i_r1": t, "i2t_r1": i]
            return (r, (t + i) / 2)
        }
        let (itc, itcMean) = measured(0, deepest)
        var best = (itc, itcMean + margin - 1e-12)
        for depth in depths {
            for weight in weights {
                let candidate = measured(weight, depth)
                if candidate.1 > best.1 { best = candidate }
            }
        }
        var chosen = best.0.isUsed ? best.0 : ITMReranking(weight: 0, depth: deepest, validation: [:], images: images, captions: texts)
        // ITM alone over the deepest candidates (ALBEF's and VLMo's own inference), for comparison.
        let alone = measured(weights.max()!, deepest).0
        chosen.validation = ["itc_t2i_r1": itc.validation["t2i_r1"]!, "itc_i2t_r1": itc.validation["i2t_r1"]!,
                             "itm_alone_t2i_r1": alone.validation["t2i_r1"]!, "itm_alone_i2t_r1": alone.validation["i2t_r1"]!]
        if best.0.isUsed {
            chosen.validation["itm_t2i_r1"] = best.0.validation["t2i_r1"]!
            chosen.validation["itm_i2t_r1"] = best.0.validation["i2t_r1"]!
        } else {
            // The best ITM could do, for the refusal's message.
            let bestITM = depths.flatMap { d in weights.map { measured($0, d) } }.max { $0.1 < $1.1 }!.0
            chosen.validation["best_itm_t2i_r1"] = bestITM.validation["t2i_r1"]!
            chosen.validation["best_itm_i2t_r1"] = bestITM.validation["i2t_r1"]!
        }
        return chosen
    }

    /// ``calibrate(similarity:imageOfText:textToImage:imageToText:)`` for `model` (which must have
    /// an ITM head) on the captioned images `data`; `nil` for a model without one.
    public static func calibrate(_ model: any ImageTextModel, on data: CaptionedImages) -> ITMReranking? {
        let pairs = data.pairs, texts = pairs.map(\.caption)
        guard model.matchScores(texts: [texts[0]], images: [data.images[0]]) != nil else { return nil }
        let similarity = model.encodeTexts(texts).matmul(model.encodeImages(data.images), transposeOther: true)
        return calibrate(similarity: similarity, imageOfText: pairs.map(\.image),
                         textToImage: { t, images in model.matchScores(texts: [texts[t]], images: images.map { data.images[$0] })!.scalars },
                         imageToText: { i, candidates in model.matchScores(texts: candidates.map { texts[$0] }, images: [data.images[i]])!.scalars })
    }

    /// The validation numbers in words (`t2i R@1 0.712 by ITC, 0.718 re-ranked; ...`).
    public var summary: String {
        let v = validation
        func pct(_ key: String) -> String { v[key].map { String(format: "%.3f", $0) } ?? "-" }
        let itm = isUsed ? "itm" : "best_itm"
        let how = isUsed ? "with ITM (weight \(weight), depth \(depth))" : "at best with ITM"
        return "validation split (\(images) images, \(captions) captions): t2i R@1 \(pct("itc_t2i_r1")) by ITC, \(pct("\(itm)_t2i_r1")) \(how), "
            + "\(pct("itm_alone_t2i_r1")) by ITM alone; i2t R@1 \(pct("itc_i2t_r1")) by ITC, \(pct("\(itm)_i2t_r1")) \(how), \(pct("itm_alone_i2t_r1")) by ITM alone"
    }

    /// Writes ``fileName`` into `folder`.
    public func save(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName))
    }

    /// The re-ranking stored in `folder`, `nil` when it has none.
    /// - Throws: ``ModelFileError`` naming the file when it cannot be read as one.
    public static func load(from folder: URL) throws -> ITMReranking? {
        let file = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = try? Data(contentsOf: file), let reranking = try? JSONDecoder().decode(ITMReranking.self, from: data),
              reranking.weight >= 0, reranking.depth > 0 else {
            throw ModelFileError(file, "is not an ITM re-ranking (weight, depth, validation, images, captions)")
        }
        return reranking
    }
}

extension CrossModalRetrieval {
    /// Recall with each query's best `reranking.depth` candidates re-ordered by
    /// ``ITMReranking/score(similarity:probability:)``, given ITM's match probabilities of a
    /// caption with candidate images (`textToImage`) and of an image with candidate captions.
    public func evaluate(similarity: Tensor, reranking: ITMReranking, textToImage: @escaping (Int, [Int]) -> [Float],
                         imageToText: @escaping (Int, [Int]) -> [Float]) -> Recall {
        let (scores, width) = (similarity.scalars, similarity.shape[1])
        return evaluate(similarity: similarity, rerankDepth: reranking.depth,
                        rerankTextToImage: { t, images in
                            zip(images, textToImage(t, images)).map { reranking.score(similarity: scores[t * width + $0], probability: $1) }
                        },
                        rerankImageToText: { i, texts in
                            zip(texts, imageToText(i, texts)).map { reranking.score(similarity: scores[$0 * width + i], probability: $1) }
                        })
    }
}
