import Foundation
import Methods
import Models
import NeuralNetworks
import Tensors
import Testing

/// A method whose loss turns non-finite at one step.
final class PoisonedMethod: TextMethod {
    let inner: SimCSE
    let poisonedStep: Int
    var step = 0
    init(_ inner: SimCSE, poisonedStep: Int) {
        self.inner = inner
        self.poisonedStep = poisonedStep
    }
    var encoder: SentenceEncoder { inner.encoder }
    func plan(_ batch: [TextExample], generator: inout RandomGenerator) -> StepPlan {
        step += 1
        var plan = inner.plan(batch, generator: &generator)
        if step == poisonedStep {
            let losses = plan.losses
            plan.losses = { StepLoss(losses($0).total * Float.nan) }
        }
        return plan
    }
}

@Suite struct NonFiniteTests {
    @Test func aNonFiniteLossStopsTheRunNamingTheStep() throws {
        let c = MethodFixtures.configuration(steps: 4)
        let method = PoisonedMethod(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), poisonedStep: 3)
        let trainer = try Trainer(text: method, configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun())
        #expect(throws: TrainingError.nonFinite(step: 3, tensor: "the loss")) { try trainer.train() }
        #expect(TrainingError.nonFinite(step: 3, tensor: "the loss").description.contains("step 3"))
    }

    @Test func skippingCountsTheStepAndLeavesTheWeightsUntouched() throws {
        var c = MethodFixtures.configuration(steps: 4)
        c.skipNonFinite = true
        let method = PoisonedMethod(SimCSE(encoder: try MethodFixtures.encoder(), configuration: c), poisonedStep: 2)
        let trainer = try Trainer(text: method, configuration: c, examples: try MethodFixtures.examples(), output: MethodFixtures.temporaryRun())
        var skipped: [Int] = []
        trainer.onEvent = { if case .skipped(let step, _) = $0 { skipped.append(step) } }
        let summary = try trainer.train()
        #expect(summary.skippedSteps == 1)
        #expect(skipped == [2])
        #expect(try MethodFixtures.parameters(method).allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) })
        // The log counts it, and writes the step's non-finite loss as null.
        let log = try String(contentsOf: trainer.output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(log.contains(#"{"skipped":1,"step":2}"#))
        #expect(log.contains(#""loss":null"#))
    }
}
