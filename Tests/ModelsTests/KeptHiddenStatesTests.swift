import Models
import NeuralNetworks
import Tensors
import Testing

/// `KeptHiddenStates`: a forward pass that keeps the last layer's state alone gives the same
/// embeddings, and the poolings that read other layers ask for all of them.
@Suite struct KeptHiddenStatesTests {
    @Test func theLastStateAloneEqualsTheLastOfAll() {
        let (model, batch) = LastLayerTokensTests.modelAndBatch()
        let all = withoutGradient { model(batch, hiddenStates: .all) }
        let last = withoutGradient { model(batch, hiddenStates: .last) }
        #expect(all.hiddenStates.count == model.configuration.layers + 1)
        #expect(last.hiddenStates.count == 1)
        #expect(last.lastHiddenState.shape == all.lastHiddenState.shape)
        #expect(last.lastHiddenState.scalars == all.lastHiddenState.scalars)
    }

    @Test func eachPoolingKeepsWhatItReads() {
        #expect(PoolingMode.allCases.filter { $0.hiddenStates == .all } == [.avgFirstLast, .avgTop2])
        let (model, batch) = LastLayerTokensTests.modelAndBatch()
        for mode in PoolingMode.allCases {
            let pooling = Pooling(mode: mode)
            let kept = withoutGradient { pooling(model(batch, hiddenStates: mode.hiddenStates), attentionMask: batch.attentionMask) }
            let full = withoutGradient { pooling(model(batch, hiddenStates: .all), attentionMask: batch.attentionMask) }
            #expect(kept.scalars == full.scalars, "\(mode.rawValue)")
        }
    }

    @Test func anAverageOfLayersRefusesTheLastStateAlone() async {
        await #expect(processExitsWith: .failure) {
            let (model, batch) = LastLayerTokensTests.modelAndBatch()
            _ = withoutGradient { Pooling(mode: .avgTop2)(model(batch, hiddenStates: .last), attentionMask: batch.attentionMask) }
        }
    }
}
