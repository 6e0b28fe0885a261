import Foundation
@testable import Methods
import Models
import Tensors
import TestSupport
import Testing

/// Supervised SimCSE on n-tuples with several hard negatives per anchor (mined ones, as
/// sentence-transformers' MultipleNegativesRankingLoss trains on).
@Suite struct HardNegativeTuplesTests {
    /// 48 examples: the next sentence as positive, `count` distant sentences as hard negatives.
    static func tuples(negatives count: Int) throws -> [TextExample] {
        let s = try MethodFixtures.sentences()
        return (0..<48).map { i in TextExample(anchor: s[i], positive: s[i + 1], hardNegatives: (0..<count).map { s[(i + 20 + 5 * $0) % 64] }) }
    }

    /// The loss of one batch in evaluation mode (no dropout, so only the rows differ).
    func evaluationLoss(_ batch: [TextExample]) throws -> (rows: Int, loss: Float) {
        let method = SimCSE(encoder: try MethodFixtures.encoder(), configuration: MethodFixtures.configuration(steps: 1))
        method.encoder.model.eval()
        var generator = RandomGenerator(seed: 1)
        let plan = method.plan(batch, generator: &generator)
        return (plan.inputs.map(\.rows).reduce(0, +), StepRunner(source: nil).loss(plan).total.item)
    }

    @Test func everyHardNegativeIsEmbeddedAndJoinsTheCandidates() throws {
        let batch = Array(try Self.tuples(negatives: 3).prefix(8))
        let three = try evaluationLoss(batch)
        #expect(three.rows == 8 * 5 && three.loss.isFinite)
        // The same anchors and positives with only their first negative: fewer candidates, a lower loss.
        let one = try evaluationLoss(batch.map { TextExample(anchor: $0.anchor, positive: $0.positive, hardNegative: $0.hardNegatives[0]) })
        #expect(one.rows == 8 * 3 && one.loss < three.loss - 1e-3, "\(one.loss) vs \(three.loss)")
        // Anchors with different numbers of hard negatives: all of them join every anchor's candidates.
        var mixed = batch
        mixed[0].hardNegatives.removeLast()
        let uneven = try evaluationLoss(mixed)
        #expect(uneven.rows == 8 * 5 - 1 && uneven.loss.isFinite)
    }

    @Test(arguments: [Float(0), 1])
    func trainingOnTuplesLowersTheLoss(weight: Float) throws {
        var c = MethodFixtures.configuration(steps: 16)
        c.hardNegativeWeight = weight
        let trainer = try Trainer(text: SimCSE(encoder: try MethodFixtures.encoder(), configuration: c),
                                  configuration: c, examples: try Self.tuples(negatives: 3), output: MethodFixtures.temporaryRun())
        let (first, last) = try MethodFixtures.lossTrend(trainer)
        #expect(first.isFinite && last < first, "loss \(first) -> \(last)")
    }

    /// `--triplets` reads a mined n-tuple file as examples with all their negatives.
    @Test func tripletsSettingReadsTuples() throws {
        let file = try TestPaths.write("anchor,positive,negative_1,negative_2\na,b,c,d\ne,f,g,h\n", named: "mined.csv")
        var c = TrainingSettings(method: "simcse")
        c.triplets = file.path
        #expect(try TextExample.read(c).examples == [TextExample(anchor: "a", positive: "b", hardNegatives: ["c", "d"]),
                                                     TextExample(anchor: "e", positive: "f", hardNegatives: ["g", "h"])])
    }
}
