import Models
import NeuralNetworks
import Tensors
import Testing

/// VLMo's mixture-of-modality-experts layers and ALBEF's fusion encoder.
@Suite struct MultimodalModelTests {
    static let layer = TransformerLayerConfiguration(width: 16, heads: 2, feedForwardWidth: 32, layerNormEps: 1e-6, hiddenDropout: 0, attentionDropout: 0)

    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    /// Makes `expert` the identity by zeroing its last projection.
    func silence(_ expert: FeedForwardExpert) {
        expert.output.weight.assign(Tensor.zeros(expert.output.weight.shape))
        expert.output.bias!.assign(Tensor.zeros(expert.output.bias!.shape))
    }

    @Test func expertsAreNamedByModality() {
        var g = RandomGenerator(seed: 1)
        let backbone = MultiwayTransformer(layer: Self.layer, layers: 3, visionLanguageLayers: 1, source: RandomSource(seed: 0), generator: &g)
        let names = Set(backbone.namedParameters().map(\.name))
        #expect(names.contains("encoder.layer.0.attention.attention.query.weight"))
        #expect(names.contains("encoder.layer.0.vision_expert.intermediate.dense.weight"))
        #expect(names.contains("encoder.layer.0.language_expert.layernorm_after.weight"))
        #expect(!names.contains { $0.hasPrefix("encoder.layer.1.vision_language_expert") })
        #expect(names.contains("encoder.layer.2.vision_language_expert.output.dense.bias") && names.contains("layernorm.weight"))
        let x = Tensor.randn([2, 5, 16], seed: 2)
        #expect(backbone(x, routing: .visionLanguage(languageTokens: 2)).shape == [2, 5, 16])
    }

    @Test func routingSendsTokensToTheirExpert() {
        var g = RandomGenerator(seed: 3)
        let random = RandomSource(seed: 0)
        let top = MixtureOfModalityExpertsLayer(Self.layer, hasVisionLanguageExpert: true, source: random, generator: &g)
        let bottom = MixtureOfModalityExpertsLayer(Self.layer, hasVisionLanguageExpert: false, source: random, generator: &g)
        let text = Tensor.randn([2, 3, 16], seed: 4), image = Tensor.randn([2, 4, 16], seed: 5)
        let both = Tensor.concat([text, image], axis: 1)
        let fused = ModalityRouting.visionLanguage(languageTokens: 3)
        let before = (vision: top(image, routing: .vision), language: top(text, routing: .language), fused: top(both, routing: fused),
                      split: bottom(both, routing: fused))
        silence(top.languageExpert)
        silence(bottom.languageExpert)
        // Only the language route changes; the fusion layer's tokens all go to the vision-language expert.
        #expect(maxDifference(top(image, routing: .vision), before.vision) == 0)
        #expect(maxDifference(top(text, routing: .language), before.language) > 1e-3)
        #expect(maxDifference(top(both, routing: fused), before.fused) == 0)
        // Below the top, the text positions change and the image positions do not.
        let split = bottom(both, routing: fused)
        #expect(maxDifference(split.slice(axis: 1, 0..<3), before.split.slice(axis: 1, 0..<3)) > 1e-3)
        #expect(maxDifference(split.slice(axis: 1, 3..<7), before.split.slice(axis: 1, 3..<7)) == 0)
        silence(top.visionLanguageExpert!)
        #expect(maxDifference(top(both, routing: fused), before.fused) > 1e-3)
    }

    @Test func fusionEncoderAttendsToTextAndImage() {
        var g = RandomGenerator(seed: 6)
        let fusion = FusionEncoder(layer: Self.layer, layers: 2, imageWidth: 8, source: RandomSource(seed: 0), generator: &g)
        let names = Set(fusion.namedParameters().map(\.name))
        #expect(names.contains("layer.1.crossattention.self.key.weight") && names.contains("layer.0.attention.output.LayerNorm.weight"))
        #expect(fusion.layers[0].crossAttention!.attention.key.weight.shape == [16, 8])
        let text = Tensor.randn([2, 4, 16], seed: 7), image = Tensor.randn([2, 6, 8], seed: 8)
        // The last text token of each sequence is padding.
        let textMask = MultiHeadAttention.additiveMask([1, 1, 1, 0, 1, 1, 1, 0], batch: 2, tokens: 4)
        let out = fusion(text: text, textMask: textMask, image: image)
        #expect(out.shape == [2, 4, 16])
        // Changing a padded token leaves the others alone; changing the image does not.
        let edited = Tensor.concat([text.slice(axis: 1, 0..<3), Tensor.randn([2, 1, 16], seed: 9)], axis: 1)
        #expect(maxDifference(fusion(text: edited, textMask: textMask, image: image).slice(axis: 1, 0..<3), out.slice(axis: 1, 0..<3)) < 1e-5)
        #expect(maxDifference(fusion(text: text, textMask: textMask, image: Tensor.randn([2, 6, 8], seed: 10)), out) > 1e-3)
        // Masking image tokens changes what the text reads.
        let imageMask = MultiHeadAttention.additiveMask([1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1], batch: 2, tokens: 6)
        let masked = fusion(text: text, textMask: textMask, image: image, imageMask: imageMask)
        #expect(maxDifference(masked.slice(axis: 0, 0..<1), out.slice(axis: 0, 0..<1)) > 1e-3)
        #expect(maxDifference(masked.slice(axis: 0, 1..<2), out.slice(axis: 0, 1..<2)) < 1e-5)
    }
}
