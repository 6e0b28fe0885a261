import Foundation
@testable import Methods
import Models
import Objectives
import Tensors
import Testing

/// Matryoshka training: its settings read and refuse as flags do, and a step's loss is the
/// method's loss at each truncation of the same embeddings, weighted.
@Suite struct MatryoshkaTrainingTests {
    @Test func settingsReadListsAndNameTheirProblems() throws {
        var c = TrainingSettings()
        try c.apply(arguments: ["--matryoshka-dims", "64,32, 16", "--matryoshka-weights=1,0.5,0.25", "--truncate-dim", "16", "--pooling", "mean"])
        #expect(c.matryoshkaDimensions?.values == [64, 32, 16] && c.matryoshkaWeights?.values == [1, 0.5, 0.25] && c.truncateDimension == 16)
        let loss = try MatryoshkaLoss(dimensions: [64, 32, 16], weights: [1, 0.5, 0.25])
        #expect(c.valueProblems.isEmpty && c.matryoshka == loss)
        #expect(throws: SettingsError(description: "--matryoshka-dims: '64,x' is not a comma-separated list of ints")) {
            try c.apply(arguments: ["--matryoshka-dims", "64,x"])
        }
        #expect(throws: SettingsError(description: "--matryoshka-weights: '1,,2' is not a comma-separated list of floats")) {
            try c.apply(arguments: ["--matryoshka-weights", "1,,2"])
        }
        c.matryoshkaWeights = SettingList([1, 2])
        #expect(c.valueProblems == ["--matryoshka-dims: 2 weights for 3 dimensions"])
        c.matryoshkaDimensions = nil
        #expect(c.valueProblems == ["--matryoshka-weights needs --matryoshka-dims"])
        (c.matryoshkaDimensions, c.matryoshkaWeights, c.pooling) = (SettingList([64, 32]), nil, .cls)
        #expect(c.valueProblems.first?.hasPrefix("--matryoshka-dims: pooling cls trains through an MLP") == true)
        #expect(TrainingSettings(method: "esimcse").settings.allSatisfy { !$0.name.hasPrefix("matryoshka") }, "a momentum queue holds full-width keys")
    }

    @Test func refusesWidthsBeyondTheModel() throws {
        var c = MethodFixtures.configuration(steps: 1)
        c.matryoshkaDimensions = SettingList([512, 64])
        let encoder = try MethodFixtures.encoder()
        #expect(throws: SettingsError(description: "--matryoshka-dims: 512 is larger than the model's 128 dimensions")) {
            try TextTraining(SimCSE(encoder: encoder, configuration: c), configuration: c, examples: [])
        }
    }

    @Test func aStepsLossIsTheWeightedSumAtEachWidth() throws {
        var c = MethodFixtures.configuration(steps: 1)
        (c.matryoshkaDimensions, c.matryoshkaWeights) = (SettingList([128, 32, 8]), SettingList([1, 0.5, 2]))
        let examples = try MethodFixtures.examples()
        let simcse = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        let training = try TextTraining(simcse, configuration: c, examples: examples)
        // Evaluation mode: no dropout, so both plans see the same embeddings.
        training.setTraining(false)
        let batch = StepBatch(indices: Array(0..<8), shares: [0..<8], share: 0..<8, step: 0, steps: 1)
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5)
        let matryoshka = training.plan(stage: 0, batch: batch, generator: &g1)
        let plain = simcse.plan(batch.indices.map { examples[$0] }, generator: &g2)
        let z = withoutGradient { matryoshka.inputs.map { $0.embed(0..<$0.rows) } }
        #expect(z.count == 1 && z[0].shape == [16, 128])
        let value = withoutGradient { matryoshka.losses(z).total.item }
        let expected = zip([128, 32, 8], [Float(1), 0.5, 2]).reduce(Float(0)) { sum, term in
            sum + term.1 * withoutGradient { plain.losses(z.map { $0.slice(axis: 1, 0..<term.0) }).total.item }
        }
        #expect(abs(value - expected) < Float(1e-4) * abs(expected), "\(value) vs \(expected)")
    }
}
