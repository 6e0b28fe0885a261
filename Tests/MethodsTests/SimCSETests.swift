import Augmentation
import Foundation
import Methods
import Models
import Tensors
import Testing

/// SimCSE on tiny data with a tiny random BERT: the loss falls, resuming from a checkpoint
/// reproduces an uninterrupted run, and augmented views train too.
@Suite struct SimCSETests {
    @Test func unsupervisedLossFalls() throws {
        #expect(try MethodFixtures.sentences().count == 64)
        let c = MethodFixtures.configuration(steps: 24)
        let trainer = try Trainer(text: SimCSE(encoder: try MethodFixtures.encoder(), configuration: c),
                                      configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun())
        let (first, last) = try MethodFixtures.lossTrend(trainer)
        #expect(last < first * 0.7, "loss \(first) -> \(last)")
    }

    @Test(arguments: ["cutoff-token:0.2", "cutoff-span:0.2", "cutoff-feature:0.2", "deletion:0.2", "swap:0.2", "insertion:0.2"])
    func augmentedViewsGetCloser(_ name: String) throws {
        let c = MethodFixtures.configuration(steps: 16)
        let views = try PositiveViews(AugmentationSpec(parsing: name))
        let encoder = try MethodFixtures.encoder()
        let before = try MethodFixtures.positiveMargin(encoder, views: views)
        let trainer = try Trainer(text: SimCSE(encoder: encoder, configuration: c, views: views),
                                      configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun())
        let (first, last) = try MethodFixtures.lossTrend(trainer)
        #expect(last < first, "\(name): loss \(first) -> \(last)")
        let after = try MethodFixtures.positiveMargin(encoder, views: views)
        #expect(after > before, "\(name): positive margin \(before) -> \(after)")
    }

    @Test func supervisedWithHardNegativesLossFalls() throws {
        let s = try MethodFixtures.sentences()
        // Positives: the next sentence of the same article; hard negatives: a distant one.
        let examples = (0..<48).map { TextExample(anchor: s[$0], positive: s[$0 + 1], hardNegative: $0 % 3 == 0 ? nil : s[63 - $0]) }
        var c = MethodFixtures.configuration(steps: 16)
        c.hardNegativeWeight = 0
        let trainer = try Trainer(text: SimCSE(encoder: try MethodFixtures.encoder(), configuration: c),
                                      configuration: c, examples: examples, output: MethodFixtures.temporaryRun())
        let (first, last) = try MethodFixtures.lossTrend(trainer)
        #expect(last < first, "loss \(first) -> \(last)")
    }

    @Test func resumedRunEndsWithTheSameWeights() throws {
        var c = MethodFixtures.configuration(steps: 6)
        c.checkpointEvery = 3
        let straight = MethodFixtures.temporaryRun(), interrupted = MethodFixtures.temporaryRun()
        let a = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        try Trainer(text: a, configuration: c, examples: try MethodFixtures.examples(), output: straight).train()

        var firstHalf = c
        firstHalf.maxSteps = 3
        try Trainer(text: SimCSE(encoder: try MethodFixtures.encoder(), configuration: firstHalf), configuration: firstHalf,
                        examples: try MethodFixtures.examples(), output: interrupted).train()
        let b = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        let summary = try Trainer(text: b, configuration: c, examples: try MethodFixtures.examples(), output: interrupted).train(resume: true)
        #expect(summary.steps == 6)
        let worst = MethodFixtures.maxDifference(try MethodFixtures.parameters(a), try MethodFixtures.parameters(b))
        #expect(worst <= 1e-6, "max abs difference \(worst)")
    }
}
