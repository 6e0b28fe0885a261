import Foundation
import Testing
import Tensors
@testable import NeuralNetworks

/// The pieces other encoder families build attention from: rotary positions, the shared
/// scaled dot-product core with a score bias, and LayerNorm without bias.
@Suite struct AttentionPartsTests {
    /// Each pair (x[i], x[i + d/2]) turns by position · base^(-2i/d).
    @Test func rotaryEmbeddingTurnsPairsOfHalves() {
        let rotary = RotaryEmbedding(headSize: 4, base: 100)
        let x = Tensor.randn([2, 3, 4], seed: 1)
        let y = rotary.angles(positions: 0..<3).rotate(x).scalars
        let xs = x.scalars
        for row in 0..<2 {
            for position in 0..<3 {
                let start = (row * 3 + position) * 4
                for i in 0..<2 {
                    let angle = Double(position) * pow(100, -Double(2 * i) / 4)
                    let (a, b) = (Double(xs[start + i]), Double(xs[start + i + 2]))
                    #expect(abs(Double(y[start + i]) - (a * cos(angle) - b * sin(angle))) < 1e-5)
                    #expect(abs(Double(y[start + i + 2]) - (b * cos(angle) + a * sin(angle))) < 1e-5)
                }
            }
        }
    }

    /// Rotated queries and keys have products that depend on their positions' offset only.
    @Test func rotaryProductsDependOnTheOffset() {
        let rotary = RotaryEmbedding(headSize: 8, base: 10_000)
        let q = Tensor.randn([1, 8], seed: 2), k = Tensor.randn([1, 8], seed: 3)
        func product(_ m: Int, _ n: Int) -> Float {
            let rq = rotary.angles(positions: m..<(m + 1)).rotate(q), rk = rotary.angles(positions: n..<(n + 1)).rotate(k)
            return (rq * rk).sum().item
        }
        #expect(abs(product(2, 5) - product(9, 12)) < 1e-4)
        #expect(abs(product(2, 5) - product(2, 6)) > 1e-3)
    }

    @Test func rotaryEmbeddingGradientMatchesFiniteDifferences() {
        let angles = RotaryEmbedding(headSize: 6, base: 10).angles(positions: 0..<7).positions(2..<5)
        let result = GradientCheck.check([Tensor.randn([2, 2, 3, 6], seed: 4)]) { angles.rotate($0[0]) }
        #expect(result.passed, "\(result)")
    }

    /// `softmax((q·kᵀ + bias) / √d + mask) · v`, computed directly for one head.
    @Test func attendAddsTheScoreBiasBeforeScaling() {
        let (q, k, v) = (Tensor.randn([1, 1, 3, 4], seed: 5), Tensor.randn([1, 1, 3, 4], seed: 6), Tensor.randn([1, 1, 3, 4], seed: 7))
        let bias = Tensor.randn([1, 3, 3], seed: 8)
        let mask = MultiHeadAttention.additiveMask([1, 1, 0], batch: 1, tokens: 3)
        let dropout = Dropout(probability: 0, source: RandomSource(seed: 0))
        let y = MultiHeadAttention.attend(queries: q, keys: k, values: v, keyMask: mask, scoreBias: bias, dropout: dropout).scalars
        let (qs, ks, vs, bs) = (q.scalars, k.scalars, v.scalars, bias.scalars)
        for i in 0..<3 {
            let scores = (0..<2).map { j in ((0..<4).map { qs[i * 4 + $0] * ks[j * 4 + $0] }.reduce(0, +) + bs[i * 3 + j]) / 2 }
            let weights = scores.map { exp($0 - scores.max()!) }
            for c in 0..<4 {
                let expected = (0..<2).map { weights[$0] * vs[$0 * 4 + c] }.reduce(0, +) / weights.reduce(0, +)
                #expect(abs(y[i * 4 + c] - expected) < 1e-5)
            }
        }
    }

    /// Queries, keys, values and the score bias all receive their gradients.
    @Test func attendGradientsMatchFiniteDifferences() {
        let mask = MultiHeadAttention.additiveMask([1, 1, 1, 1, 1, 1, 1, 0], batch: 2, tokens: 4)
        let dropout = Dropout(probability: 0, source: RandomSource(seed: 0))
        let inputs = [Tensor.randn([2, 2, 4, 3], seed: 9), Tensor.randn([2, 2, 4, 3], seed: 10), Tensor.randn([2, 2, 4, 3], seed: 11),
                      Tensor.randn([2, 4, 4], seed: 12)]
        let result = GradientCheck.check(inputs) {
            MultiHeadAttention.attend(queries: $0[0], keys: $0[1], values: $0[2], keyMask: mask, scoreBias: $0[3], dropout: dropout)
        }
        #expect(result.passed, "\(result)")
    }

    /// PyTorch's `LayerNorm(bias=False)`: one parameter, the values of a zero bias, and gradients.
    @Test func layerNormWithoutBias() {
        let norm = LayerNorm(dimension: 4, bias: false)
        #expect(norm.namedParameters().map(\.name) == ["weight"] && norm.bias == nil)
        let x = Tensor.randn([3, 4], seed: 13), w = Tensor.randn([4], seed: 14)
        norm.weight.assign(w)
        #expect(norm(x).scalars == x.layerNorm(weight: w, bias: Tensor.zeros([4])).scalars)
        let result = GradientCheck.check([x, w]) { $0[0].layerNorm(weight: $0[1], bias: nil) }
        #expect(result.passed, "\(result)")
    }

    /// In evaluation without gradients, attention runs fused (`Tensor.attention`); with gradients
    /// it runs materialised: both give the same output, self- and cross-attention, with a mask.
    @Test func fusedInferenceEqualsTheMaterialisedPath() {
        var g = RandomGenerator(seed: 9)
        let selfAttention = MultiHeadAttention(width: 16, heads: 4, dropout: 0.1, source: RandomSource(seed: 0), generator: &g)
        let crossAttention = MultiHeadAttention(width: 16, heads: 4, contextWidth: 8, dropout: 0.1, source: RandomSource(seed: 0), generator: &g)
        let x = Tensor.randn([2, 5, 16], seed: 10), context = Tensor.randn([2, 3, 8], seed: 11)
        let mask = MultiHeadAttention.additiveMask([1, 1, 1, 1, 0, 1, 1, 1, 0, 0], batch: 2, tokens: 5)
        let contextMask = MultiHeadAttention.additiveMask([1, 1, 0, 1, 1, 1], batch: 2, tokens: 3)
        for (attention, source, keyMask) in [(selfAttention, nil, mask), (crossAttention, context, contextMask)] as [(MultiHeadAttention, Tensor?, Tensor)] {
            attention.eval()
            let materialised = attention(x, context: source, keyMask: keyMask)
            #expect(materialised.requiresGrad)
            let (fused, kernels) = GEMM.recordingImplementations { withoutGradient { attention(x, context: source, keyMask: keyMask) } }
            // No batched product (the materialised path's scores and weighted values): the fused
            // kernel's products are plain GEMMs, as the projections are.
            #expect(kernels == ["dnnl_sgemm"])
            #expect(zip(fused.scalars, materialised.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    /// Inference under bf16 products runs the fused kernel too: its two products stay fp32 (the
    /// projections around it carry the bf16 rounding), so it gives the fp32 values exactly;
    /// training under bf16 rounds the scores' operands (materialised path).
    @Test func bf16InferenceAttendsInFP32OnTheFusedKernel() {
        let q = Tensor.randn([2, 6, 16], seed: 12), k = Tensor.randn([2, 6, 16], seed: 13), v = Tensor.randn([2, 6, 16], seed: 14)
        let mask = MultiHeadAttention.additiveMask([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1], batch: 2, tokens: 6)
        let dropout = Dropout(probability: 0, source: RandomSource(seed: 0))
        func attend() -> Tensor { MultiHeadAttention.attend(queries: q, keys: k, values: v, heads: 4, keyMask: mask, dropout: dropout) }
        let fp32 = withoutGradient { attend() }
        let bf16 = withMatmulPrecision(.bf16) { withoutGradient { attend() } }
        #expect(bf16.scalars == fp32.scalars)
        let recording = [q, k, v].map { Tensor($0.scalars, shape: $0.shape).requiringGradient() }
        let trained = withMatmulPrecision(.bf16) {
            MultiHeadAttention.attend(queries: recording[0], keys: recording[1], values: recording[2], heads: 4, keyMask: mask, dropout: dropout)
        }
        let difference = zip(trained.scalars, fp32.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 0 && difference < 0.05, "bf16 training attention against fp32: \(difference)")
    }
}
