import Foundation
@testable import Methods
import Models
import NeuralNetworks
import Tensors
import Testing

/// Gradient caching gives the loss and the parameter gradients of the whole batch.
@Suite struct GradientCacheTests {
    func gradients(_ method: SimCSE) -> [[Float]] {
        method.trainableParameters.map { $0.tensor.grad?.scalars ?? [] }
    }

    func expectClose(_ a: [[Float]], _ b: [[Float]], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) {
            let scale = max(x.map(abs).max() ?? 0, 1e-12)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * scale + 1e-9, "max difference \(worst) at scale \(scale)", sourceLocation: sourceLocation)
        }
    }

    /// Same weights, same dropout stream: plain back-propagation through every chunk's graph versus
    /// cached embeddings and replayed chunks.
    @Test(arguments: [false, true])
    func matchesPlainBackPropagationWithDropout(supervised: Bool) throws {
        var c = MethodFixtures.configuration(steps: 1)
        c.pooling = .cls  // the training MLP joins the graph too
        let s = MethodFixtures.sentences
        let batch = supervised
            ? (0..<12).map { TextExample(anchor: s[$0], positive: s[$0 + 1], hardNegative: $0 % 2 == 0 ? s[40 + $0] : nil) }
            : (0..<12).map { TextExample(anchor: s[$0]) }

        let plain = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        var generator = RandomGenerator(seed: 1)
        let plan = plain.plan(batch, generator: &generator)
        // The reference: the same chunks with graphs kept, concatenated, one backward.
        let embeddings = plan.inputs.map { input in
            Tensor.concat(stride(from: 0, to: input.batch.batch, by: 5).map { plain.embed(input.rows($0..<min($0 + 5, input.batch.batch))) }, axis: 0)
        }
        let plainLoss = plan.loss(embeddings)
        plainLoss.backward()

        c.gradientCacheChunk = 5
        let cached = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        generator = RandomGenerator(seed: 1)
        let cachedLoss = cached.loss(batch, generator: &generator)
        #expect(!cachedLoss.requiresGrad)
        #expect(abs(cachedLoss.item - plainLoss.item) <= 1e-5 * abs(plainLoss.item))
        expectClose(gradients(cached), gradients(plain))
        // Dropout really was on: a second plain pass draws different masks and another loss.
        var again = RandomGenerator(seed: 1)
        let other = plain.plan(batch, generator: &again)
        #expect(withoutGradient { other.loss(other.inputs.map(plain.embed)).item } != plainLoss.item)
    }

    @Test func matchesTheWholeBatchWithoutDropout() throws {
        var c = MethodFixtures.configuration(steps: 1)
        let batch = MethodFixtures.sentences.prefix(16).map { TextExample(anchor: $0) }
        let whole = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        whole.setTraining(false)
        var generator = RandomGenerator(seed: 1)
        let wholeLoss = whole.loss(Array(batch), generator: &generator)
        wholeLoss.backward()
        c.gradientCacheChunk = 6
        let cached = SimCSE(encoder: try MethodFixtures.encoder(), configuration: c)
        cached.setTraining(false)
        generator = RandomGenerator(seed: 1)
        let cachedLoss = cached.loss(Array(batch), generator: &generator)
        #expect(abs(cachedLoss.item - wholeLoss.item) <= 1e-5 * abs(wholeLoss.item))
        expectClose(gradients(cached), gradients(whole))
    }
}
