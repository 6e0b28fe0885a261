import Testing
import Tensors
@testable import NeuralNetworks

@Suite struct LayerTests {
    @Test func linearUsesHuggingFaceLayout() {
        var g = RandomGenerator(seed: 0)
        let linear = Linear(inputSize: 2, outputSize: 3, generator: &g)
        linear.weight.assign(Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]))
        linear.bias!.assign(Tensor([0.5, 0, -0.5]))
        #expect(linear(Tensor([1, 1], shape: [1, 2])).scalars == [3.5, 7, 10.5])
        #expect(Linear(inputSize: 2, outputSize: 3, bias: false, generator: &g).namedParameters().map(\.name) == ["weight"])
    }

    @Test func initialisationMatchesBERT() {
        var g = RandomGenerator(seed: 3)
        let linear = Linear(inputSize: 100, outputSize: 100, generator: &g)
        let w = linear.weight.scalars
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
        #expect(abs(mean) < 1e-3 && abs(std - 0.02) < 1e-3)
        #expect(linear.bias!.scalars.allSatisfy { $0 == 0 })
        let norm = LayerNorm(dimension: 4, eps: 1e-12)
        #expect(norm.weight.scalars == [1, 1, 1, 1] && norm.bias!.scalars == [0, 0, 0, 0] && norm.eps == 1e-12)
        let embedding = Embedding(count: 5, dimension: 3, paddingIndex: 2, generator: &g)
        #expect(embedding([2]).scalars == [0, 0, 0])
        #expect(embedding([0, 1, 4, 1], shape: [2, 2]).shape == [2, 2, 3])
    }

    @Test func sameSeedSameWeights() {
        #expect(TinyEncoder(seed: 5).layers[1].query.weight.scalars == TinyEncoder(seed: 5).layers[1].query.weight.scalars)
        #expect(TinyEncoder(seed: 5).layers[1].query.weight.scalars != TinyEncoder(seed: 6).layers[1].query.weight.scalars)
    }

    @Test func dropoutReplaysFromSnapshot() {
        let random = RandomSource(seed: 9)
        let first = Dropout(probability: 0.5, source: random), second = Dropout(probability: 0.5, source: random)
        let x = Tensor.ones([64])
        let forward = { second(first(x)).scalars }
        let saved = random.snapshot()
        let a = forward()
        let b = forward()
        #expect(a != b)  // fresh masks per call
        random.restore(saved)
        #expect(forward() == a)
        #expect(random.replaying(from: saved) { forward() } == a)
        #expect(forward() == b)  // the replay left the source where it was
        let kept = a.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 4 } && kept.count > 4 && kept.count < 32)
    }

    /// A transformer layer (attention-probability and hidden dropout) run on some rows of a batch
    /// under the source's row offset gives those rows exactly as the whole batch's pass does.
    @Test func rowsUnderARowOffsetGetTheWholeBatchsMasks() {
        let random = RandomSource(seed: 3)
        var g = RandomGenerator(seed: 4)
        let layer = TransformerEncoderLayer(TransformerLayerConfiguration(width: 16, heads: 2, feedForwardWidth: 32, hiddenDropout: 0.3,
                                                                          attentionDropout: 0.3), source: random, generator: &g)
        let (rows, tokens) = (6, 5)
        let x = Tensor.randn([rows, tokens, 16], seed: 5)
        let start = random.snapshot()
        let whole = layer(x).scalars
        let width = tokens * 16
        for range in [0..<2, 2..<5, 5..<6] {
            random.restore(start)
            let part = random.withRowOffset(range.lowerBound) { layer(x.slice(axis: 0, range)) }.scalars
            // Equal up to the GEMMs' rounding for another row count.
            #expect(close(part, Array(whole[(range.lowerBound * width)..<(range.upperBound * width)])), "rows \(range)")
        }
        #expect(random.rowOffset == 0)
        random.restore(start)
        #expect(!close(layer(x.slice(axis: 0, 2..<5)).scalars, Array(whole[(2 * width)..<(5 * width)])))  // without the offset: other masks
    }

    @Test func inferenceSplitsALongBatchsFeedForwardWithTheSameValues() {
        var g = RandomGenerator(seed: 6)
        let layer = TransformerEncoderLayer(TransformerLayerConfiguration(width: 8, heads: 2, feedForwardWidth: 32),
                                            source: RandomSource(seed: 7), generator: &g)
        layer.eval()
        // Enough rows that the feed-forward block's intermediate is split in inference.
        let rows = ResidualOutput.inferenceRows(intermediateWidth: 32)
        let x = Tensor.randn([rows / 4 + 3, 4, 8], seed: 8)
        let recorded = layer(x.requiringGradient()).scalars
        let inferred = withoutGradient { layer(x) }.scalars
        #expect(close(inferred, recorded))
    }

    @Test func dropoutIsIdentityInEvaluation() {
        let random = RandomSource(seed: 1)
        let dropout = Dropout(probability: 0.3, source: random)
        dropout.eval()
        let x = Tensor.ones([8])
        #expect(dropout(x) === x)
        #expect(random.snapshot().offset == 0)  // evaluation draws no randomness
    }

    @Test func linearGradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 4)
        let linear = Linear(inputSize: 3, outputSize: 2, std: 0.5, generator: &g)
        let x = Tensor.normal([2, 3], generator: &g).requiringGradient()
        let r = Tensor.normal([2, 2], generator: &g)
        let loss = { (linear(x) * r).sum() }
        loss().backward()
        for tensor in [x, linear.weight, linear.bias!] {
            let numeric = numericalGradient(of: tensor) { withoutGradient { loss().item } }
            #expect(close(tensor.grad!.scalars, numeric, tolerance: 1e-2))
        }
    }

    @Test func layerNormGradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 5)
        let norm = LayerNorm(dimension: 4, eps: 1e-12)
        norm.weight.assign(Tensor([1, 2, 0.5, -1]))
        let x = Tensor.normal([3, 4], generator: &g).requiringGradient()
        let r = Tensor.normal([3, 4], generator: &g)
        let loss = { (norm(x) * r).sum() }
        loss().backward()
        for tensor in [x, norm.weight, norm.bias!] {
            let numeric = numericalGradient(of: tensor) { withoutGradient { loss().item } }
            #expect(close(tensor.grad!.scalars, numeric, tolerance: 2e-2))
        }
    }

    @Test func embeddingGradientScatterAdds() {
        var g = RandomGenerator(seed: 6)
        let embedding = Embedding(count: 3, dimension: 2, generator: &g)
        embedding([2, 0, 2]).sum().backward()
        #expect(embedding.weight.grad!.scalars == [1, 1, 0, 0, 2, 2])
    }
}

extension LayerTests {
    /// Attention's dropout fused with its product with the values draws the mask a separate
    /// dropout would, and gives the same values and gradients.
    @Test func dropoutBeforeAProductDrawsTheSameMask() {
        func run(fused: Bool) -> [[Float]] {
            let random = RandomSource(seed: 2)
            let dropout = Dropout(probability: 0.4, source: random)
            let p = Tensor.randn([2, 3, 3], seed: 1).requiringGradient(), v = Tensor.randn([2, 3, 4], seed: 2).requiringGradient()
            let y = random.withRowOffset(5) { fused ? dropout.matmul(p, v) : dropout(p).matmul(v) }
            y.sum().backward()
            return [y.scalars, p.grad!.scalars, v.grad!.scalars, [Float(random.snapshot().offset)]]
        }
        #expect(run(fused: true) == run(fused: false))
        let dropout = Dropout(probability: 0.4, source: RandomSource(seed: 2))
        dropout.eval()
        let p = Tensor.randn([2, 3], seed: 3), v = Tensor.randn([3, 2], seed: 4)
        #expect(dropout.matmul(p, v).scalars == p.matmul(v).scalars)
    }
}

extension LayerTests {
    /// The CLIP naming registers the same parameters, drawn in the same order, under
    /// `CLIPEncoderLayer`'s names: the same seed gives the same layer under either name set.
    @Test func preNormLayerTakesCLIPNames() {
        let c = TransformerLayerConfiguration(width: 8, heads: 2, feedForwardWidth: 16, activation: .quickGelu, layerNormEps: 1e-5,
                                              hiddenDropout: 0, attentionDropout: 0)
        var g1 = RandomGenerator(seed: 4), g2 = RandomGenerator(seed: 4)
        let vit = PreNormTransformerLayer(c, source: RandomSource(seed: 0), generator: &g1)
        let clip = PreNormTransformerLayer(c, naming: .clip, source: RandomSource(seed: 0), generator: &g2)
        #expect(Set(clip.namedParameters().map(\.name)) == [
            "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
            "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "layer_norm1.weight", "layer_norm1.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
            "layer_norm2.weight", "layer_norm2.bias",
        ])
        #expect(vit.namedParameters().contains { $0.name == "attention.attention.query.weight" })
        let x = Tensor.randn([2, 3, 8], seed: 5)
        #expect(vit(x).scalars == clip(x).scalars)
    }

    /// Query `i` sees keys `0...i` that are not padding; what follows a position never changes it.
    @Test func causalMaskHidesLaterAndPaddedKeys() {
        let mask = MultiHeadAttention.causalMask([1, 1, 0, 1, 1, 1], batch: 2, tokens: 3).scalars
        let visible = mask.map { $0 == 0 ? 1 : 0 }
        #expect(visible == [1, 0, 0, 1, 1, 0, 1, 1, 0, /* second row */ 1, 0, 0, 1, 1, 0, 1, 1, 1])
        #expect(mask.allSatisfy { $0 == 0 || $0 == -Float.greatestFiniteMagnitude })

        var g = RandomGenerator(seed: 6)
        let attention = MultiHeadAttention(width: 8, heads: 2, dropout: 0, source: RandomSource(seed: 0), generator: &g)
        let x = Tensor.randn([1, 4, 8], seed: 7)
        var changed = x.scalars
        for i in 24..<32 { changed[i] += 1 }  // the last position only
        let causal = MultiHeadAttention.causalMask([1, 1, 1, 1], batch: 1, tokens: 4)
        let before = attention(x, keyMask: causal).scalars, after = attention(Tensor(changed, shape: [1, 4, 8]), keyMask: causal).scalars
        #expect(Array(before[0..<24]) == Array(after[0..<24]) && Array(before[24...]) != Array(after[24...]))
    }
}
