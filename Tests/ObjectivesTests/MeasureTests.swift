import Objectives
import Testing
import Tensors

@Suite struct MeasureTests {
    let x = Tensor([3, 4, 0, 2], shape: [2, 2])
    let y = Tensor([0, 1, 1, 0], shape: [2, 2])

    @Test func pairwiseValues() {
        #expect(TestSupport.close(DotProductSimilarity().pairwise(x, y).scalars, [4, 3, 2, 0]))
        #expect(TestSupport.close(CosineSimilarity().pairwise(x, y).scalars, [0.8, 0.6, 1, 0]))
        #expect(TestSupport.close(SquaredEuclideanDistance().pairwise(x, y).scalars, [18, 20, 1, 5]))
        #expect(TestSupport.close(EuclideanDistance().pairwise(x, y).scalars, ([18, 20, 1, 5] as [Float]).map { $0.squareRoot() }))
    }

    @Test func pairedIsThePairwiseDiagonal() {
        let measures: [any PairwiseMeasure] = [DotProductSimilarity(), CosineSimilarity(), SquaredEuclideanDistance(),
                                               EuclideanDistance(), EuclideanDistance(normalizesEmbeddings: true)]
        for measure in measures {
            let full = measure.pairwise(x, y).scalars
            #expect(TestSupport.close(measure.paired(x, y).scalars, [full[0], full[3]], tolerance: 1e-5), "\(measure)")
        }
    }

    @Test func closenessNegatesDistancesOnly() {
        #expect(EuclideanDistance().pairwiseCloseness(x, y).scalars == (-EuclideanDistance().pairwise(x, y)).scalars)
        #expect(CosineSimilarity().pairedCloseness(x, y).scalars == CosineSimilarity().paired(x, y).scalars)
    }

    @Test func euclideanGradientIsFiniteAtZeroDistance() {
        let (_, grads) = TestSupport.valueAndGradients([x]) { EuclideanDistance().pairwise($0[0], $0[0]).sum() }
        #expect(grads[0].allSatisfy { $0.isFinite })
    }
}
