import Models
import NeuralNetworks
import Tensors
import Testing

/// `BertModel`'s `lastLayerTokens`: the last layer computed at [CLS] only gives the values and
/// gradients of the whole computation.
@Suite struct LastLayerTokensTests {
    /// A tiny BERT in evaluation mode (no dropout, so both paths are deterministic) and a padded batch.
    static func modelAndBatch() -> (BertModel, TokenBatch) {
        var generator = RandomGenerator(seed: 11)
        let model = BertModel(BertConfiguration(preset: .tiny), source: RandomSource(seed: 12), generator: &generator)
        model.eval()
        let ids = [101, 2023, 2003, 1037, 3231, 102, 101, 2178, 2028, 102, 0, 0, 101, 7592, 102, 0, 0, 0]
        let mask = ids.map { $0 == 0 ? 0 : 1 }
        return (model, TokenBatch(ids: ids, attentionMask: mask, batch: 3, tokens: 6))
    }

    @Test func clsStateMatchesTheWholeLastLayer() {
        let (model, batch) = Self.modelAndBatch()
        let pooling = Pooling(mode: .clsBeforePooler)
        let whole = withoutGradient { pooling(model(batch), attentionMask: batch.attentionMask) }
        let pruned = withoutGradient { model(batch, lastLayerTokens: 0..<1) }
        #expect(pruned.lastHiddenState.shape == [3, 1, model.configuration.hiddenSize])
        let first = withoutGradient { pooling(pruned, attentionMask: batch.attentionMask) }
        let difference = zip(first.scalars, whole.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference < 1e-5, "max |difference| \(difference)")
    }

    @Test func gradientsMatchTheWholeLastLayer() {
        let (model, batch) = Self.modelAndBatch()
        let pooling = Pooling(mode: .cls)
        var generator = RandomGenerator(seed: 13)
        let weights = Tensor.normal([3, model.configuration.hiddenSize], generator: &generator)
        func gradients(_ tokens: Range<Int>?) -> [String: [Float]] {
            model.zeroGrad()
            (pooling(model(batch, lastLayerTokens: tokens), attentionMask: batch.attentionMask) * weights).sum().backward()
            return Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor.grad?.scalars ?? []) })
        }
        let whole = gradients(nil), pruned = gradients(0..<1)
        #expect(whole.keys.sorted() == pruned.keys.sorted())
        for (name, expected) in whole {
            let got = pruned[name]!
            #expect(got.count == expected.count, "\(name)")
            // Some gradients are zero up to rounding (a key bias shifts every score of a row alike).
            let scale = max(expected.map(abs).max() ?? 0, 1e-4)
            let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "\(name): max |difference| \(worst) of scale \(scale)")
        }
    }

    @Test func meanPoolingRefusesAPrunedLastLayer() async {
        await #expect(processExitsWith: .failure) {
            let (model, batch) = LastLayerTokensTests.modelAndBatch()
            _ = withoutGradient { Pooling(mode: .mean)(model(batch, lastLayerTokens: 0..<1), attentionMask: batch.attentionMask) }
        }
    }
}
