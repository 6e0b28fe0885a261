import Foundation
import Objectives
import Testing
import Tensors

/// Miners, reducers, the triplet loss over mined triplets, SupCon edge cases.
@Suite struct MetricLearningTests {
    let x = Tensor.randn([8, 4], seed: 5)
    let labels = [0, 0, 1, 1, 2, 2, 0, 1]

    func closeness(_ measure: any PairwiseMeasure = EuclideanDistance(normalizesEmbeddings: true)) -> [Float] {
        measure.pairwiseCloseness(x, x).scalars
    }

    @Test func difficultiesPartitionAllValidTriplets() {
        let c = closeness()
        let all = TripletMarginMiner(.all).mine(closeness: c, labels: labels)
        // Label 0 has 3 rows, 1 has 3, 2 has 2: Σ positives × negatives = 3·2·5 + 3·2·5 + 2·1·6.
        #expect(all.count == 72)
        let parts = [TripletMarginMiner.Difficulty.hard, .semiHard, .easy].map { TripletMarginMiner($0, margin: 0.3).mine(closeness: c, labels: labels) }
        #expect(Set(parts.flatMap { $0 }) == Set(all) && parts.map(\.count).reduce(0, +) == all.count)
        for t in all {
            #expect(t.anchor != t.positive && labels[t.anchor] == labels[t.positive] && labels[t.anchor] != labels[t.negative])
        }
    }

    @Test func semiHardAndEasyFollowTheirDefinitions() {
        let c = closeness(), n = labels.count
        for t in TripletMarginMiner(.semiHard, margin: 0.3).mine(closeness: c, labels: labels) {
            let gap = c[t.anchor * n + t.positive] - c[t.anchor * n + t.negative]
            #expect(gap > 0 && gap <= 0.3)
        }
        for t in TripletMarginMiner(.easy, margin: 0.3).mine(closeness: c, labels: labels) {
            #expect(c[t.anchor * n + t.positive] - c[t.anchor * n + t.negative] > 0.3)
        }
    }

    @Test func batchHardPicksTheFarthestPositiveAndClosestNegative() {
        let c = closeness(CosineSimilarity()), n = labels.count
        let triplets = BatchHardMiner().mine(closeness: c, labels: labels)
        #expect(triplets.count == 8)
        for t in triplets {
            let positives = (0..<n).filter { $0 != t.anchor && labels[$0] == labels[t.anchor] }
            let negatives = (0..<n).filter { labels[$0] != labels[t.anchor] }
            #expect(positives.allSatisfy { c[t.anchor * n + $0] >= c[t.anchor * n + t.positive] })
            #expect(negatives.allSatisfy { c[t.anchor * n + $0] <= c[t.anchor * n + t.negative] })
        }
    }

    @Test func minedTripletsGiveTheExplicitTripletLoss() {
        let loss = TripletMarginLoss(margin: 0.3)
        let triplets = TripletMarginMiner(.all).mine(closeness: closeness(), labels: labels)
        let explicit = loss(anchors: x.indexSelect(axis: 0, triplets.map(\.anchor)),
                            positives: x.indexSelect(axis: 0, triplets.map(\.positive)),
                            negatives: x.indexSelect(axis: 0, triplets.map(\.negative)))
        #expect(abs(loss(embeddings: x, labels: labels).item - explicit.item) < 1e-5)
    }

    @Test func reducers() {
        let losses = Tensor([0, 2, 0, 4])
        #expect(MeanReducer().reduce(losses).item == 1.5)
        #expect(NonZeroMeanReducer().reduce(losses).item == 3)
        #expect(NonZeroMeanReducer().reduce(Tensor.zeros([3])).item == 0)
    }

    @Test func batchesWithoutTripletsOrPositivesGiveAZeroThatBackPropagates() {
        let distinct = Array(0..<8)
        let leaf = x.copy().requiringGradient()
        let triplet = TripletMarginLoss(margin: 0.2)(embeddings: leaf, labels: distinct, miner: BatchHardMiner())
        let supcon = SupervisedContrastiveLoss()(leaf, labels: distinct)
        #expect(triplet.item == 0 && supcon.item == 0)
        (triplet + supcon).backward()
        #expect(leaf.grad?.scalars.allSatisfy { $0 == 0 } == true)
    }

    @Test func supconLeavesOutAnchorsWithoutPositives() {
        // Row 7 alone in label 3: the loss is the mean over rows 0..<7 of a batch where row 7 is
        // still in every denominator.
        let withLoner = [0, 0, 1, 1, 2, 2, 0, 3]
        let supcon = SupervisedContrastiveLoss(temperature: .fixed(0.5))
        let logits = CosineSimilarity().pairwise(x, x) / 0.5
        let values = logits.scalars
        var total: Float = 0
        for i in 0..<7 {
            let others = (0..<8).filter { $0 != i }
            let top = others.map { values[i * 8 + $0] }.max()!
            let lse = top + Foundation.log(others.map { Foundation.exp(values[i * 8 + $0] - top) }.reduce(0, +))
            let positives = others.filter { withLoner[$0] == withLoner[i] }
            total += positives.map { lse - values[i * 8 + $0] }.reduce(0, +) / Float(positives.count)
        }
        #expect(abs(supcon(x, labels: withLoner).item - total / 7) < 1e-4)
    }
}
