import Foundation
@testable import Objectives
import Testing
import Tensors

/// No objective produces inf or NaN at temperature 0.01 with logits of ±100, nor on all-equal inputs.
@Suite struct StabilityTests {
    /// The inputs under test (a `Sendable` name: tensors are not).
    enum Input: String, CaseIterable, Sendable {
        /// Rows `±e_k`: cosine similarities of exactly ±1, so logits of ±100 at τ = 0.01.
        case signed
        /// Every row the same vector.
        case equal

        var tensor: Tensor {
            switch self {
            case .signed: Tensor.constant(rows: 8, columns: 4) { i, j in j == i % 4 ? (i < 4 ? 1 : -1) : 0 }
            case .equal: Tensor.full([8, 4], 0.5)
            }
        }
    }
    static let labels = [0, 0, 1, 1, 2, 2, 3, 3]

    static func objectives(tau: Float) -> [(String, ([Tensor]) -> Tensor)] {
        let nce = InfoNCELoss(temperature: .fixed(tau))
        return [
            ("infonce", { nce(queries: $0[0], keys: $0[1]) }),
            ("symmetric", { InfoNCELoss(temperature: .learnableLogScale(Tensor(scalar: Foundation.log(1 / tau)).requiringGradient())).symmetric($0[0], $0[1]) }),
            ("hard negatives", { InfoNCELoss(temperature: .fixed(tau), hardNegativeLogWeight: 1)(queries: $0[0], keys: $0[1], hardNegatives: $0[0]) }),
            ("moco", { InfoNCELoss(temperature: .fixed(tau), inBatchNegatives: false)(queries: $0[0], keys: $0[1], queue: $0[1]) }),
            ("smoothed multi-positive", { InfoNCELoss(temperature: .fixed(tau), labelSmoothing: 0.1)(queries: $0[0], keys: $0[1], targets: .sharedLabels(queries: labels, keys: labels)) }),
            ("distilled", { nce(queries: $0[0], keys: $0[1], queue: $0[1], targets: .distilled(teacherQueries: $0[1], weight: 0.4)) }),
            ("supcon", { SupervisedContrastiveLoss(temperature: .fixed(tau))($0[0], labels: labels) }),
            ("triplet cosine batch-hard", { TripletMarginLoss(margin: 0.2, measure: CosineSimilarity())(embeddings: $0[0], labels: labels, miner: BatchHardMiner()) }),
            ("triplet euclidean all", { TripletMarginLoss(margin: 0.2)(embeddings: $0[0], labels: labels) }),
            ("npair", { NPairLoss()(anchors: $0[0] / tau, positives: $0[1]) }),
            ("nce", { BinaryNCELoss()(dataScores: $0[0].sum(axis: 1) / tau, noiseScores: $0[1] / tau,
                                      dataNoiseLogProbabilities: Tensor.full([8], -1), noiseNoiseLogProbabilities: Tensor.full([8, 4], -1)) }),
            ("alignment α=1", { Alignment(alpha: 1).loss($0[0], $0[1]) }),
            ("uniformity", { Uniformity(t: 2).loss($0[0]) }),
        ]
    }

    @Test(arguments: Input.allCases)
    func finiteLossesAndGradients(name: Input) {
        for (objective, loss) in Self.objectives(tau: 0.01) {
            let (value, grads) = TestSupport.valueAndGradients([name.tensor, name.tensor]) { loss($0) }
            #expect(value.isFinite, "\(objective) on \(name): loss \(value)")
            #expect(grads.allSatisfy { $0.allSatisfy(\.isFinite) }, "\(objective) on \(name): non-finite gradient")
        }
    }

    @Test func largeLogitsGiveTheExactLoss() {
        // Row i matches itself at +100, its negation at -100 and the six other rows at 0:
        // lse = log(e^100 + 6 + e^-100) ≈ 100, so the loss is ≈ 0 (and not inf - inf).
        let loss = InfoNCELoss(temperature: .fixed(0.01))(queries: Input.signed.tensor, keys: Input.signed.tensor)
        #expect(loss.item >= 0 && loss.item < 1e-6)
    }

    @Test func allEqualInputsGiveLogN() {
        let loss = InfoNCELoss(temperature: .fixed(0.01))(queries: Input.equal.tensor, keys: Input.equal.tensor)
        #expect(abs(loss.item - Foundation.log(8)) < 1e-4)
        #expect(abs(Uniformity().loss(Input.equal.tensor).item) < 1e-6)
    }
}
