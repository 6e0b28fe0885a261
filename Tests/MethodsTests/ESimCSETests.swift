import Augmentation
import Foundation
import Methods
import Models
import Tensors
import Testing

@Suite struct ESimCSETests {
    @Test func lossFallsRepeatedViewsAlignAndTheQueueFills() throws {
        let c = MethodFixtures.configuration(steps: 16)
        let encoder = try MethodFixtures.encoder()
        let method = try ESimCSE(encoder: encoder, configuration: c)
        let before = try MethodFixtures.positiveMargin(encoder, views: method.simcse.views)
        let trainer = try Trainer(text: method, configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun())
        let (first, last) = try MethodFixtures.lossTrend(trainer)
        #expect(last < first, "loss \(first) -> \(last)")
        #expect(try MethodFixtures.positiveMargin(encoder, views: method.simcse.views) > before)
        #expect(method.momentum.queue.count == c.queueSize)
        // The momentum encoder moved toward the online one but is not equal to it.
        let online = encoder.model.parameters()[0].scalars, target = method.momentum.encoder.model.parameters()[0].scalars
        #expect(online != target)
    }

    @Test func resumedRunEndsWithTheSameWeights() throws {
        var c = MethodFixtures.configuration(steps: 6)
        c.checkpointEvery = 3
        let a = try ESimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        try Trainer(text: a, configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun()).train()
        let interrupted = MethodFixtures.temporaryRun()
        var firstHalf = c
        firstHalf.maxSteps = 3
        try Trainer(text: try ESimCSE(encoder: try MethodFixtures.encoder(), configuration: firstHalf), configuration: firstHalf,
                        examples: try MethodFixtures.examples(), output: interrupted).train()
        let b = try ESimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        try Trainer(text: b, configuration: c, examples: try MethodFixtures.examples(), output: interrupted).train(resume: true)
        #expect(MethodFixtures.maxDifference(try MethodFixtures.parameters(a), try MethodFixtures.parameters(b)) <= 1e-6)
        #expect(a.momentum.queue.features.scalars == b.momentum.queue.features.scalars)
    }
}
