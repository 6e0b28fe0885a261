import Evaluation
import Tensors
import Testing

/// Recall at K in both directions, with several captions per image and ITM-style re-ranking.
@Suite struct CrossModalRetrievalTests {
    // Captions 0,1 describe image 0; caption 2 image 1; caption 3 image 2.
    let retrieval = CrossModalRetrieval(imageOfText: [0, 0, 1, 2], cutoffs: [1, 2])
    let similarity = Tensor([
        0.9, 0.1, 0.0,  // caption 0: image 0 first
        0.2, 0.8, 0.1,  // caption 1: image 1 first, image 0 second
        0.1, 0.3, 0.7,  // caption 2: image 2, then image 1
        0.0, 0.1, 0.9,  // caption 3: image 2 first
    ], shape: [4, 3])

    @Test func recallCountsTheRightImageAndAnyCaption() {
        let recall = retrieval.evaluate(similarity: similarity)
        #expect(recall.textToImage == [1: 2.0 / 4, 2: 4.0 / 4])
        // Image 0: captions 0 (0.9), 1 (0.2) → hit at 1. Image 1: caption 1 (0.8) first, caption 2 (0.3)
        // second → hit at 2. Image 2: caption 3 (0.9) first → hit at 1.
        #expect(recall.imageToText == [1: 2.0 / 3, 2: 3.0 / 3])
        #expect(recall.metrics["t2i_r1"] == 0.5 && recall.metrics["i2t_r2"] == 1)
    }

    @Test func rerankingReordersOnlyTheCandidates() {
        // A perfect matcher: scores 1 for the caption's own image.
        let truth = [0, 0, 1, 2]
        let recall = retrieval.evaluate(similarity: similarity, rerankDepth: 2,
                                        rerankTextToImage: { t, images in images.map { $0 == truth[t] ? 1 : 0 } })
        #expect(recall.textToImage[1] == 1)
        // With depth 1 nothing moves.
        let shallow = retrieval.evaluate(similarity: similarity, rerankDepth: 1,
                                         rerankTextToImage: { t, images in images.map { $0 == truth[t] ? 1 : 0 } })
        #expect(shallow.textToImage[1] == 0.5)
        let imageSide = retrieval.evaluate(similarity: similarity, rerankDepth: 2,
                                           rerankImageToText: { i, texts in texts.map { truth[$0] == i ? 1 : 0 } })
        #expect(imageSide.imageToText[1] == 1)
    }

    @Test func identityRetrievalIsPerfect() {
        let n = 20
        let recall = CrossModalRetrieval(imageOfText: Array(0..<n)).evaluate(similarity: Tensor.randn([n, 8], seed: 1).l2Normalized().matmul(Tensor.randn([n, 8], seed: 1).l2Normalized(), transposeOther: true))
        #expect(recall.textToImage[1] == 1 && recall.imageToText[1] == 1 && recall.textToImage[10] == 1)
    }
}

@Suite struct EmbeddingIndexTests {
    @Test func searchReturnsTheKMostSimilarBestFirst() {
        let index = EmbeddingIndex(sentences: ["east", "north", "west", "north-east"],
                                   embeddings: Tensor([1, 0, 0, 2, -3, 0, 1, 1], shape: [4, 2]))
        let hits = index.search(Tensor([0.9, 0.2, 0, -1], shape: [2, 2]), k: 2)
        #expect(hits[0].map(\.text) == ["east", "north-east"])
        // Ties (east and west both at 0) keep corpus order.
        #expect(hits[1].map(\.text) == ["east", "west"])
        #expect(abs(hits[0][0].score - 0.9 / (0.85 as Float).squareRoot()) < 1e-6)
        #expect(index.search(Tensor([1, 0], shape: [1, 2]), k: 10)[0].count == 4)
    }
}
