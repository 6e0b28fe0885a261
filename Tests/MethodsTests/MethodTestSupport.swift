import Foundation
import Methods
import Models
import Tensors
import TestSupport

/// Tiny data and a tiny random BERT for the methods' tests.
enum MethodFixtures {
    /// The first 64 sentences of `data/wiki/wiki-6400.txt`; throws when the file is missing.
    static func sentences() throws -> [String] {
        let text = try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8)
        return Array(text.split(separator: "\n").prefix(64).map(String.init))
    }

    /// ``sentences()`` as unlabelled examples.
    static func examples() throws -> [TextExample] { try sentences().map { TextExample(anchor: $0) } }

    static func configuration(steps: Int) -> TrainingSettings {
        var c = TrainingSettings()
        c.batchSize = 16
        c.maxLength = 24
        c.maxSteps = steps
        c.learningRate = 1e-3
        c.schedule = .constant
        c.pooling = .mean
        c.seed = 3
        c.queueSize = 24
        return c
    }

    static func encoder() throws -> SentenceEncoder { try SentenceEncoder.randomlyInitialized(.tiny, seed: 11) }

    /// The parameters the trainer would update for `method`, with their checkpoint names.
    static func parameters(_ method: any TextMethod) throws -> [(name: String, tensor: Tensor)] {
        try TextTraining(method, configuration: TrainingSettings(), examples: []).trainableParameters
    }

    static func temporaryRun() -> URL {
        TestPaths.temporaryPath("run")
    }

    /// Mean training loss of the first and of the last `window` steps.
    static func lossTrend(_ trainer: Trainer, window: Int = 4) throws -> (first: Float, last: Float) {
        var losses: [Float] = []
        trainer.onEvent = { if case .step(let report) = $0 { losses.append(report.loss) } }
        try trainer.train()
        return (losses.prefix(window).reduce(0, +) / Float(window), losses.suffix(window).reduce(0, +) / Float(window))
    }

    /// The mean margin by which each sentence's positive view is closer (cosine) than the nearest
    /// view of another sentence, over 64 sentences in evaluation mode: how far positives stand
    /// out from negatives. Contrastive training should widen it.
    static func positiveMargin(_ encoder: SentenceEncoder, views: PositiveViews, seed: UInt64 = 99) throws -> Float {
        let sentences = try sentences()
        var generator = RandomGenerator(seed: seed)
        let model = encoder.model
        model.eval()
        defer { model.train() }
        return withoutGradient {
            let a = encoder.embed(encoder.batch(sentences, maxLength: 24)).l2Normalized()
            let b = encoder.embed(views.view(of: sentences, encoder: encoder, maxLength: 24, generator: &generator), pooler: nil).l2Normalized()
            let s = a.matmul(b, transposeOther: true).scalars
            let n = sentences.count
            let margins = (0..<n).map { i in s[i * n + i] - (0..<n).filter { $0 != i }.map { s[i * n + $0] }.max()! }
            return margins.reduce(0, +) / Float(n)
        }
    }

    /// The largest absolute difference between two parameter lists.
    static func maxDifference(_ a: [(name: String, tensor: Tensor)], _ b: [(name: String, tensor: Tensor)]) -> Float {
        zip(a, b).map { x, y in zip(x.tensor.scalars, y.tensor.scalars).map { Swift.abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }
}
