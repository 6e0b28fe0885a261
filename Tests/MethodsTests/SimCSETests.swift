import Foundation
import Methods
import Models
import Tensors
import TestSupport
import Testing

/// SimCSE on tiny data with a tiny random BERT: the loss falls, positives get closer, resuming
/// from a checkpoint reproduces an uninterrupted run.
@Suite struct SimCSETests {
    static let sentences: [String] = {
        let text = (try? String(contentsOf: TestPaths.sharedFile("data/wiki/wiki_sents.txt"), encoding: .utf8)) ?? ""
        return Array(text.split(separator: "\n").prefix(64).map(String.init))
    }()

    func configuration(steps: Int) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.batchSize = 16
        c.maxLength = 24
        c.maxSteps = steps
        c.learningRate = 1e-3
        c.schedule = .constant
        c.pooling = .mean
        c.seed = 3
        return c
    }

    func encoder() throws -> SentenceEncoder { try SentenceEncoder.randomlyInitialized(.tiny, seed: 11) }

    func temporaryRun() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("simcse-\(UUID().uuidString)")
    }

    @Test func unsupervisedLossFallsAndViewsAlign() throws {
        #expect(Self.sentences.count == 64)
        let c = configuration(steps: 24)
        let method = SimCSE(encoder: try encoder(), configuration: c)
        let trainer = try TextTrainer(method: method, configuration: c, examples: Self.sentences.map { TextExample(anchor: $0) }, output: temporaryRun())
        var losses: [Float] = []
        trainer.onEvent = { if case .step(_, _, let loss, _, _) = $0 { losses.append(loss) } }
        let summary = try trainer.train()
        #expect(summary.steps == 24)
        let first = losses.prefix(4).reduce(0, +) / 4, last = losses.suffix(4).reduce(0, +) / 4
        #expect(last < first * 0.7, "loss \(first) -> \(last) \(losses)")
    }

    @Test func resumedRunEndsWithTheSameWeights() throws {
        var c = configuration(steps: 6)
        c.checkpointEvery = 3
        let examples = Self.sentences.map { TextExample(anchor: $0) }
        let straight = temporaryRun(), interrupted = temporaryRun()
        let a = SimCSE(encoder: try encoder(), configuration: c)
        try TextTrainer(method: a, configuration: c, examples: examples, output: straight).train()

        var firstHalf = c
        firstHalf.maxSteps = 3
        try TextTrainer(method: SimCSE(encoder: try encoder(), configuration: firstHalf), configuration: firstHalf, examples: examples, output: interrupted).train()
        let b = SimCSE(encoder: try encoder(), configuration: c)
        let summary = try TextTrainer(method: b, configuration: c, examples: examples, output: interrupted).train(resume: true)
        #expect(summary.steps == 6)
        var worst: Float = 0
        for ((name, x), (_, y)) in zip(a.trainableParameters, b.trainableParameters) {
            let d = zip(x.scalars, y.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
            if d > worst { worst = d; _ = name }
        }
        #expect(worst <= 1e-6, "max abs difference \(worst)")
    }
}
