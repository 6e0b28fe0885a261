import Evaluation
import Foundation
import Models
import Tensors
import TestSupport
import Testing

/// ITM re-ranking chosen on a validation split: used only where it beats ITC there, stored with
/// the model, and applied as ITC similarity plus the chosen weight times ITM's log-odds.
@Suite struct ITMRerankingTests {
    /// Eight captions, caption `t` of image `t` (similarity 0.9, others 0.1), except that ITC
    /// puts image `t + 4` first for captions 0..<4 (0.95): R@1 one half in each direction.
    static let count = 8
    static var similarity: Tensor {
        var values = [Float](repeating: 0.1, count: count * count)
        for t in 0..<count { values[t * count + t] = 0.9 }
        for t in 0..<4 { values[t * count + t + 4] = 0.95 }
        return Tensor(values, shape: [count, count])
    }

    static func calibrate(_ probability: @escaping (_ text: Int, _ image: Int) -> Float) -> ITMReranking {
        ITMReranking.calibrate(similarity: similarity, imageOfText: Array(0..<count),
                               textToImage: { t, images in images.map { probability(t, $0) } },
                               imageToText: { i, texts in texts.map { probability($0, i) } })
    }

    @Test func anInformativeHeadIsUsedAndBeatsITC() throws {
        let itc = CrossModalRetrieval(imageOfText: Array(0..<Self.count)).evaluate(similarity: Self.similarity)
        let reranking = Self.calibrate { t, i in t == i ? 0.9 : 0.2 }
        #expect(reranking.isUsed)
        #expect(reranking.validation["itc_t2i_r1"] == itc.textToImage[1])
        let reranked = try #require(reranking.validation["itm_t2i_r1"])
        #expect(reranked > itc.textToImage[1]!)
        // The evaluation applies what calibration measured.
        let applied = CrossModalRetrieval(imageOfText: Array(0..<Self.count)).evaluate(
            similarity: Self.similarity, reranking: reranking,
            textToImage: { t, images in images.map { t == $0 ? 0.9 : 0.2 } }, imageToText: { i, texts in texts.map { i == $0 ? 0.9 : 0.2 } })
        #expect(applied.textToImage[1] == reranked && applied.imageToText[1] == reranking.validation["itm_i2t_r1"])
    }

    @Test func aMisleadingHeadIsRefusedWithTheValidationNumbers() {
        // ITM prefers a wrong image (the next one) everywhere: every weight loses to ITC.
        let reranking = Self.calibrate { t, i in i == (t + 1) % Self.count ? 0.9 : 0.1 }
        #expect(!reranking.isUsed)
        #expect(reranking.validation["best_itm_t2i_r1"]! <= reranking.validation["itc_t2i_r1"]!)
        #expect(reranking.summary.contains("by ITC") && reranking.summary.contains("at best with ITM"))
    }

    @Test func aHeadThatChangesNothingIsNotUsed() {
        // Constant probabilities leave ITC's order: no gain, so no re-ranking.
        #expect(!Self.calibrate { _, _ in 0.5 }.isUsed)
    }

    @Test func theChoiceIsStoredWithTheModelAndABadFileIsNamed() throws {
        let folder = try TestPaths.temporaryDirectory()
        #expect(try ITMReranking.load(from: folder) == nil)
        let reranking = Self.calibrate { t, i in t == i ? 0.9 : 0.2 }
        try reranking.save(to: folder)
        #expect(try ITMReranking.load(from: folder) == reranking)
        try #"{"weight": -1}"#.write(to: folder.appendingPathComponent(ITMReranking.fileName), atomically: true, encoding: .utf8)
        #expect { try ITMReranking.load(from: folder) } throws: { ($0 as? ModelFileError)?.file.hasSuffix(ITMReranking.fileName) == true }
    }

    @Test func theScoreAddsTheWeightedLogOdds() {
        let r = ITMReranking(weight: 2, depth: 4, validation: [:], images: 1, captions: 1)
        #expect(abs(r.score(similarity: 0.25, probability: 0.5) - 0.25) < 1e-6)
        #expect(abs(r.score(similarity: 0.25, probability: 0.75) - Float(0.25 + 2 * log(3.0))) < 1e-5)
        // Certain probabilities stay finite.
        #expect(r.score(similarity: 0, probability: 1).isFinite && r.score(similarity: 0, probability: 0).isFinite)
    }
}
