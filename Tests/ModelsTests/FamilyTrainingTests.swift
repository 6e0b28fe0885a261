import Foundation
@testable import Models
import NeuralNetworks
import Tensors
import Testing

/// MPNet and ModernBERT train as BERT does: on tiny random configurations, autograd's gradients
/// are the finite differences' (embeddings, attention, MPNet's relative position bias table,
/// ModernBERT's rotary and gated paths), an AdamW step lowers a loss, dropout replays from the
/// shared random source, and a last layer computed at [CLS] alone gives the whole computation's
/// values and gradients.
@Suite struct FamilyTrainingTests {
    /// Two rows of six tokens, the second padded after four (MPNet's padding id is 1).
    static let batch = TokenBatch(ids: [3, 7, 9, 4, 11, 2, 3, 5, 8, 2, 1, 1], attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
                                  batch: 2, tokens: 6)

    /// Weights large enough (std 0.3) that every path is far from linear.
    static func mpnet(dropout: Float = 0) -> MPNetModel {
        var generator = RandomGenerator(seed: 21)
        let configuration = MPNetConfiguration(vocabularySize: 16, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 12,
                                               hiddenDropout: dropout, attentionDropout: dropout, maxPositions: 10, initializerRange: 0.3)
        return MPNetModel(configuration, source: RandomSource(seed: 22), generator: &generator)
    }

    /// A full-attention layer, then a sliding one whose window (2 tokens a side) is narrower than
    /// the batch; with biases, to check their gradients through the fused projections too.
    static func modernBert(dropout: Float = 0) -> ModernBertModel {
        var generator = RandomGenerator(seed: 23)
        let configuration = ModernBertConfiguration(vocabularySize: 16, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 12,
                                                    attentionBias: true, mlpBias: true, attentionDropout: dropout, embeddingDropout: dropout,
                                                    mlpDropout: dropout, localAttention: 4, globalAttentionEvery: 2, initializerRange: 0.3)
        return ModernBertModel(configuration, source: RandomSource(seed: 24), generator: &generator)
    }

    /// A scalar of what sentence encoders read: the mean pooling and, when there is one, the pooler.
    static func loss(_ model: some TextEncoderModel, weights: Tensor) -> Tensor {
        let output = model(batch)
        let loss = (Pooling(mode: .mean)(output, attentionMask: batch.attentionMask) * weights).sum()
        return output.pooled.map { loss + ($0 * weights).sum() } ?? loss
    }

    /// Autograd's gradient of ``loss(_:weights:)`` against central differences, at `elements` of
    /// each named parameter.
    static func checkGradients(_ model: some TextEncoderModel, _ elements: [String: [Int]]) {
        model.eval()
        var generator = RandomGenerator(seed: 25)
        let weights = Tensor.normal([batch.batch, model.hiddenSize], generator: &generator)
        model.zeroGrad()
        loss(model, weights: weights).backward()
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor) })
        let step: Float = 1e-2
        for (name, indices) in elements.sorted(by: { $0.key < $1.key }) {
            guard let parameter = parameters[name], let analytic = parameter.grad?.scalars else {
                Issue.record("\(name): no such parameter, or no gradient")
                continue
            }
            var largest: Float = 0
            for i in indices {
                let original = parameter.scalars[i]
                func loss(at value: Float) -> Float {
                    parameter.withUnsafeMutableBufferPointer { $0[i] = value }
                    return withoutGradient { Self.loss(model, weights: weights).item }
                }
                let numeric = (loss(at: original + step) - loss(at: original - step)) / (2 * step)
                parameter.withUnsafeMutableBufferPointer { $0[i] = original }
                #expect(abs(analytic[i] - numeric) <= 2e-3 + 2e-2 * abs(numeric), "\(name)[\(i)]: autograd \(analytic[i]), finite differences \(numeric)")
                largest = max(largest, abs(numeric))
            }
            #expect(largest > 1e-2, "\(name): gradients too small to tell anything (\(largest))")
        }
    }

    @Test func mpnetGradientsMatchFiniteDifferences() {
        Self.checkGradients(Self.mpnet(), [
            "embeddings.word_embeddings.weight": [24, 61, 74, 90],
            "embeddings.position_embeddings.weight": [16, 21, 42, 63],
            "encoder.layer.0.attention.attn.q.weight": [0, 9, 30, 63],
            "encoder.layer.1.attention.attn.v.bias": [0, 5],
            "encoder.layer.1.attention.attn.o.weight": [3, 40],
            // Rows (buckets) 0, 3, 18 and 21 of [32, heads]: offsets 0, -3, +2 and +5.
            "encoder.relative_attention_bias.weight": [0, 7, 36, 43],
            "encoder.layer.1.intermediate.dense.weight": [0, 50, 95],
            "encoder.layer.0.output.LayerNorm.weight": [1, 6],
            "pooler.dense.weight": [0, 27],
        ])
    }

    @Test func modernBertGradientsMatchFiniteDifferences() {
        Self.checkGradients(Self.modernBert(), [
            "embeddings.tok_embeddings.weight": [24, 61, 74, 90],
            "embeddings.norm.weight": [0, 5],
            // Rows 0..<8 project queries, 8..<16 keys, 16..<24 values (8 wide).
            "layers.0.attn.Wqkv.weight": [17, 76, 166],
            "layers.1.attn.Wqkv.weight": [3, 90, 180],
            "layers.1.attn.Wqkv.bias": [1, 12, 19],
            "layers.1.attn.Wo.weight": [0, 37],
            // Rows 0..<12 make the activated input, 12..<24 the gate.
            "layers.0.mlp.Wi.weight": [5, 100, 170],
            "layers.1.mlp.Wi.bias": [2, 14],
            "layers.1.mlp.Wo.weight": [0, 50],
            "layers.1.attn_norm.weight": [3],
            "final_norm.weight": [4],
        ])
    }

    /// `act(input) · gate` of the fused `Wi`: the gradient of its input, and its value against
    /// the whole projection cut in halves afterwards.
    @Test func gatedFeedForwardMatchesItsDefinitionAndFiniteDifferences() {
        let mlp = Self.modernBert().layers[0].mlp
        let x = Tensor.randn([2, 3, 8], seed: 26)
        let result = GradientCheck.check([x]) { mlp($0[0]) }
        #expect(result.passed, "\(result)")
        let projected = x.linear(weight: mlp.input.weight, bias: mlp.input.bias)
        let explicit = mlp.output(projected.slice(axis: 2, 0..<12).gelu() * projected.slice(axis: 2, 12..<24))
        #expect(zip(mlp(x).scalars, explicit.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    static func adamWStepLowersALoss(_ model: some TextEncoderModel) {
        var generator = RandomGenerator(seed: 27)
        let target = Tensor.normal([batch.batch, model.hiddenSize], generator: &generator)
        func loss() -> Tensor {
            let difference = Pooling(mode: .mean)(model(batch), attentionMask: batch.attentionMask) - target
            return (difference * difference).mean()
        }
        let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: 1e-2, weightDecay: 0.01)
        let before = loss()
        before.backward()
        // The pooler, which mean pooling does not read, is the only part without a gradient.
        #expect(model.trainableParameters().allSatisfy { $0.tensor.grad != nil || $0.name.hasPrefix("pooler.") })
        optimizer.step()
        let after = withoutGradient { loss() }.item
        #expect(after < before.item, "loss \(before.item) before the step, \(after) after")
    }

    @Test func oneAdamWStepLowersALoss() {
        Self.adamWStepLowersALoss(Self.mpnet())
        Self.adamWStepLowersALoss(Self.modernBert())
    }

    /// Every dropout draws from the model's shared source: a restored snapshot replays the masks.
    static func dropoutReplays(_ model: some TextEncoderModel) {
        model.train()
        let start = model.source.snapshot()
        let first = model(batch).lastHiddenState.scalars
        model.source.restore(start)
        #expect(model(batch).lastHiddenState.scalars == first)
        #expect(model(batch).lastHiddenState.scalars != first)
        model.eval()
        #expect(model(batch).lastHiddenState.scalars != first)
    }

    @Test func dropoutReplaysFromTheSharedSource() {
        Self.dropoutReplays(Self.mpnet(dropout: 0.3))
        Self.dropoutReplays(Self.modernBert(dropout: 0.3))
    }

    /// The last layer at [CLS] alone: the values and the gradients of the whole computation.
    static func firstTokenLastLayerMatchesTheWhole(_ model: some TextEncoderModel) {
        model.eval()
        var generator = RandomGenerator(seed: 28)
        let weights = Tensor.normal([batch.batch, model.hiddenSize], generator: &generator)
        func run(_ tokens: Range<Int>?) -> (values: [Float], gradients: [String: [Float]]) {
            model.zeroGrad()
            let first = Pooling(mode: .clsBeforePooler)(model(batch, attentionMask: nil, wordEmbeddingHook: nil, lastLayerTokens: tokens, hiddenStates: .last),
                                                        attentionMask: batch.attentionMask)
            (first * weights).sum().backward()
            return (first.scalars, Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor.grad?.scalars ?? []) }))
        }
        let whole = run(nil), pruned = run(0..<1)
        #expect(zip(whole.values, pruned.values).allSatisfy { abs($0 - $1) < 1e-5 })
        for (name, expected) in whole.gradients {
            // Some gradients are zero up to rounding (a key bias shifts every score of a row alike).
            let scale = max(expected.map(abs).max() ?? 0, 1e-3)
            let worst = zip(pruned.gradients[name]!, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(pruned.gradients[name]!.count == expected.count && worst <= 1e-4 * scale, "\(name): \(worst) of \(scale)")
        }
    }

    @Test func lastLayerAtTheFirstTokenMatchesTheWhole() {
        Self.firstTokenLastLayerMatchesTheWhole(Self.mpnet())
        Self.firstTokenLastLayerMatchesTheWhole(Self.modernBert())
    }

    /// A copy (a momentum encoder's) has the same configuration and names, and its own source.
    @Test func copiesKeepTheConfiguration() {
        let mpnet = Self.mpnet(), modernBert = Self.modernBert()
        let source = RandomSource(seed: 29)
        let mpnetCopy = mpnet.makeCopy(source: source), modernBertCopy = modernBert.makeCopy(source: source)
        #expect(mpnetCopy.configuration == mpnet.configuration && mpnetCopy.source === source)
        #expect(mpnetCopy.namedParameters().map(\.name) == mpnet.namedParameters().map(\.name))
        #expect(modernBertCopy.configuration == modernBert.configuration && modernBertCopy.source === source)
        #expect(modernBertCopy.namedParameters().map(\.name) == modernBert.namedParameters().map(\.name))
    }
}
