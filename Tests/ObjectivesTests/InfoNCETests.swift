import Foundation
@testable import Objectives
import Testing
import Tensors

/// The InfoNCE variants agree with each other where their definitions coincide.
@Suite struct InfoNCETests {
    let a = Tensor.randn([6, 5], seed: 1), b = Tensor.randn([6, 5], seed: 2)
    let nce = InfoNCELoss(temperature: .fixed(0.1))

    @Test func targetKindsThatMeanOneHotAgree() {
        let plain = nce(queries: a, keys: b).item
        let distinct = Array(0..<6)
        #expect(abs(nce(queries: a, keys: b, targets: .sharedLabels(queries: distinct, keys: distinct)).item - plain) < 1e-5)
        #expect(abs(nce(queries: a, keys: b, targets: .distilled(teacherQueries: a, weight: 0)).item - plain) < 1e-5)
        let oneHot = Tensor.constant(rows: 6, columns: 6) { $0 == $1 ? 1 : 0 }
        #expect(abs(nce(queries: a, keys: b, targets: .distribution(oneHot)).item - plain) < 1e-5)
    }

    @Test func labelSmoothingMatchesItsDefinition() {
        // (1 - ε) CE + ε mean_j(-log softmax_j), as PyTorch's label_smoothing.
        let epsilon: Float = 0.2
        let logSoftmax = nce.logits(queries: a, keys: b).logSoftmax().scalars
        let uniformTerm = -logSoftmax.reduce(0, +) / Float(6 * 6)
        let expected = (1 - epsilon) * nce(queries: a, keys: b).item + epsilon * uniformTerm
        let smoothed = InfoNCELoss(temperature: .fixed(0.1), labelSmoothing: epsilon)(queries: a, keys: b)
        #expect(abs(smoothed.item - expected) < 1e-5)
    }

    @Test func multiplePositivesSpreadTheTarget() {
        // Labels pair rows (0,1), (2,3), (4,5): each query has two positive keys, weight 1/2 each.
        let labels = [0, 0, 1, 1, 2, 2]
        let logSoftmax = nce.logits(queries: a, keys: b).logSoftmax().scalars
        var expected: Float = 0
        for i in 0..<6 { for j in 0..<6 where labels[i] == labels[j] { expected -= logSoftmax[i * 6 + j] / 2 } }
        let loss = nce(queries: a, keys: b, targets: .sharedLabels(queries: labels, keys: labels))
        #expect(abs(loss.item - expected / 6) < 1e-5)
    }

    @Test func symmetricIsTheMeanOfBothDirections() {
        let scale = Tensor(scalar: Foundation.log(10)).requiringGradient()
        let clip = InfoNCELoss(temperature: .learnableLogScale(scale))
        let expected = (nce(queries: a, keys: b).item + nce(queries: b, keys: a).item) / 2
        #expect(abs(clip.symmetric(a, b).item - expected) < 1e-5)
    }

    @Test func theLogScaleClampPassesGradientOnItsBoundAndStopsItAbove() {
        let atBound = Tensor(scalar: Foundation.log(100)).requiringGradient()
        InfoNCELoss(temperature: .learnableLogScale(atBound)).symmetric(a, b).backward()
        #expect((atBound.grad?.item ?? 0) != 0)
        let above = Tensor(scalar: Foundation.log(200)).requiringGradient()
        let clamped = InfoNCELoss(temperature: .learnableLogScale(above)).symmetric(a, b)
        clamped.backward()
        #expect(above.grad?.item == 0)
        #expect(abs(clamped.item - InfoNCELoss(temperature: .fixed(0.01)).symmetric(a, b).item) < 1e-4)
    }

    /// OpenCLIP's clamp of the parameter itself: a log scale pushed past log 100 comes back to
    /// the bound (where its gradient passes again), and one inside the range is left alone.
    @Test func theLogScaleParameterIsClampedInPlace() {
        let above = Tensor(scalar: Foundation.log(200)), inside = Tensor(scalar: Foundation.log(20))
        Temperature.clampInPlace(logScale: above)
        Temperature.clampInPlace(logScale: inside)
        #expect(above.item == Foundation.log(Float(100)))
        #expect(inside.item == Foundation.log(Float(20)))
        let tight = Tensor(scalar: 0)
        Temperature.clampInPlace(logScale: tight, scaleRange: 2...50)
        #expect(tight.item == Foundation.log(Float(2)))
    }

    @Test func aLearnableTemperatureIsClampedToItsRange() {
        let tau = Tensor(scalar: 0.0001).requiringGradient()
        let loss = InfoNCELoss(temperature: .learnable(tau, range: 0.001...0.5))(queries: a, keys: b)
        #expect(abs(loss.item - InfoNCELoss(temperature: .fixed(0.001))(queries: a, keys: b).item) < 1e-2)
        loss.backward()
        #expect(tau.grad?.item == 0)
    }

    @Test func theQueueGetsNoGradient() {
        let queue = Tensor.randn([4, 5], seed: 3).requiringGradient()
        let q = a.copy().requiringGradient()
        nce(queries: q, keys: b, queue: queue).backward()
        #expect(queue.grad == nil && q.grad != nil)
    }

    @Test func distancesServeAsNegatedLogits() {
        // Prototypical-network style: logits = -‖q - k‖².
        let proto = InfoNCELoss(similarity: SquaredEuclideanDistance(), temperature: .fixed(1))
        let d = SquaredEuclideanDistance().pairwise(a, b)
        #expect(abs(proto(queries: a, keys: b).item - (-d).crossEntropy(targets: Array(0..<6)).item) < 1e-5)
    }
}

/// Mined n-tuples: several hard negatives per query, each a candidate of every query, the
/// log-weight on the query's own (sentence-transformers' MultipleNegativesRankingLoss at weight 0).
@Suite struct SeveralHardNegativesTests {
    @Test func everyHardNegativeIsACandidateAndTheOwnOnesAreWeighted() {
        let queries = Tensor.randn([3, 5], seed: 3), keys = Tensor.randn([3, 5], seed: 4), negatives = Tensor.randn([6, 5], seed: 5)
        let weight: Float = 0.7, tau: Float = 0.1
        let loss = InfoNCELoss(temperature: .fixed(tau), hardNegativeLogWeight: weight)(queries: queries, keys: keys, hardNegatives: negatives).item
        // Columns: the 3 keys, then the 6 negatives; query i's own negatives are rows 2i and 2i + 1.
        let cosines = CosineSimilarity().pairwiseCloseness(queries, Tensor.concat([keys, negatives], axis: 0)).scalars
        var expected: Double = 0
        for i in 0..<3 {
            let row = (0..<9).map { j in Double(cosines[i * 9 + j] / tau) + ((3 + 2 * i)..<(5 + 2 * i) ~= j ? Double(weight) : 0) }
            expected += log(row.map(exp).reduce(0, +)) - row[i]
        }
        expected /= 3
        #expect(abs(Double(loss) - expected) < 1e-4 * abs(expected), "\(loss) vs \(expected)")
        // Without the weight, the rows of negatives are just more candidates: the order of the
        // negatives does not matter.
        let plain = InfoNCELoss(temperature: .fixed(tau))
        let reversed = negatives.indexSelect(axis: 0, Array((0..<6).reversed()))
        #expect(abs(plain(queries: queries, keys: keys, hardNegatives: negatives).item - plain(queries: queries, keys: keys, hardNegatives: reversed).item) < 1e-5)
    }
}
