import Testing
@testable import Tensors

/// The fused inference attention (`Tensor.attention`) gives the values of the materialised path it
/// replaces: heads split, `matmul`, `softmax(scale:additiveMask:)`, `matmul`, heads merged.
@Suite struct AttentionKernelTests {
    /// The materialised attention of `[batch, tokens, width]` projections.
    static func materialised(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, mask: Tensor?, scoreBias: Tensor? = nil) -> Tensor {
        func split(_ t: Tensor) -> Tensor { t.reshaped([t.shape[0], t.shape[1], heads, t.shape[2] / heads]).permuted([0, 2, 1, 3]) }
        var scores = split(q).matmul(split(k), transposeOther: true)
        if let scoreBias { scores = scores + scoreBias }
        let probabilities = scores.softmax(scale: scale, additiveMask: mask)
        return probabilities.matmul(split(v)).permuted([0, 2, 1, 3]).reshaped(q.shape)
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    /// Padding masks per sequence, one block of queries and several (300 queries: two full blocks
    /// and a partial one), self- and cross-attention (queries and keys of different counts).
    @Test(arguments: [(2, 7, 7), (3, 300, 300), (2, 5, 9), (1, 130, 40)])
    func equalsTheMaterialisedPathWithAPaddingMask(batch: Int, queries: Int, keys: Int) {
        let (heads, width) = (3, 24)
        let q = Tensor.randn([batch, queries, width], seed: 1), k = Tensor.randn([batch, keys, width], seed: 2)
        let v = Tensor.randn([batch, keys, width], seed: 3)
        // Sequence b has its last b keys masked out.
        let mask = Tensor((0..<batch).flatMap { b in (0..<keys).map { $0 >= keys - b ? -Float.greatestFiniteMagnitude : 0 } }, shape: [batch, keys])
        for m in [nil, mask] {
            let fused = q.attention(keys: k, values: v, heads: heads, scale: 0.35, additiveMask: m)
            #expect(fused.shape == [batch, queries, width])
            #expect(Self.maxDifference(fused, Self.materialised(q, k, v, heads: heads, scale: 0.35, mask: m)) < 1e-5)
        }
    }

    /// A mask per query (causal), over more queries than one block.
    @Test func equalsTheMaterialisedPathWithAMaskPerQuery() {
        let (batch, tokens, heads, width) = (2, 150, 2, 16)
        let q = Tensor.randn([batch, tokens, width], seed: 4), k = Tensor.randn([batch, tokens, width], seed: 5)
        let v = Tensor.randn([batch, tokens, width], seed: 6)
        let causal = Tensor((0..<batch * tokens * tokens).map { i in i % tokens <= i / tokens % tokens ? 0 : -Float.greatestFiniteMagnitude },
                            shape: [batch, tokens, tokens])
        let fused = q.attention(keys: k, values: v, heads: heads, scale: 0.25, additiveMask: causal)
        #expect(Self.maxDifference(fused, Self.materialised(q, k, v, heads: heads, scale: 0.25, mask: causal)) < 1e-5)
        // The first query sees only the first key: its output is that key's values.
        #expect(Self.maxDifference(fused.slice(axis: 1, 0..<1), v.slice(axis: 1, 0..<1)) < 1e-6)
    }

    /// A score bias per head (MPNet's relative positions) or shared by the heads, with a padding
    /// mask, over more queries than one block.
    @Test(arguments: [true, false]) func equalsTheMaterialisedPathWithAScoreBias(perHead: Bool) {
        let (batch, tokens, heads, width) = (2, 140, 3, 24)
        let q = Tensor.randn([batch, tokens, width], seed: 8), k = Tensor.randn([batch, tokens, width], seed: 9)
        let v = Tensor.randn([batch, tokens, width], seed: 10)
        let bias = Tensor.randn(perHead ? [heads, tokens, tokens] : [tokens, tokens], seed: 11) * 3
        let mask = Tensor((0..<batch * tokens).map { $0 % tokens >= tokens - 7 * ($0 / tokens) ? -Float.greatestFiniteMagnitude : 0 },
                          shape: [batch, tokens])
        let fused = q.attention(keys: k, values: v, heads: heads, scale: 0.3, additiveMask: mask, scoreBias: bias)
        let expected = Self.materialised(q, k, v, heads: heads, scale: 0.3, mask: mask, scoreBias: bias)
        #expect(Self.maxDifference(fused, expected) < 1e-5)
        // The bias matters: without it the values differ.
        #expect(Self.maxDifference(fused, q.attention(keys: k, values: v, heads: heads, scale: 0.3, additiveMask: mask)) > 1e-2)
    }

    /// Without gradients, inputs that require them are taken (there is no graph to record).
    @Test func runsWithoutGradientOnInputsThatRequireThem() {
        let q = Tensor.randn([1, 4, 8], seed: 7).requiringGradient()
        let y = withoutGradient { q.attention(keys: q, values: q, heads: 2, scale: 0.5) }
        #expect(!y.requiresGrad)
        #expect(Self.maxDifference(y, withoutGradient { Self.materialised(q, q, q, heads: 2, scale: 0.5, mask: nil) }) < 1e-5)
    }
}
