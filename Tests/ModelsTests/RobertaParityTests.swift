import Foundation
@testable import Models
import NeuralNetworks
import Tensors
import TestSupport
import Text
import Testing

/// RoBERTa and XLM-RoBERTa are BERT with positions counted from past the padding index: the tiny
/// reference checkpoints (`Tests/Fixtures/families/roberta`, `xlm-roberta`, transformers 5.25) give
/// transformers' hidden states for every reference text, padding included in the batch.
@Suite struct RobertaParityTests {
    struct Expected: Decodable {
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let last_hidden_state_unpadded: [[[Float]]]
        let mean_pooled: [[Float]]
    }

    @Test(arguments: ["roberta", "xlm-roberta"]) func hiddenStatesAndMeanPoolingMatchTransformers(family: String) throws {
        let folder = try TestPaths.fixture("families/\(family)")
        let configuration = try BertConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        #expect(configuration.modelType == family && configuration.positionsAfterPadding && configuration.maxTokens == 78)
        var generator = RandomGenerator(seed: 0)
        let model = BertModel(configuration, withPooler: true, source: RandomSource(seed: 0), generator: &generator)
        try model.load(stateDict: SafeTensorsFile(path: folder.appendingPathComponent("model.safetensors").path).allTensors())
        model.eval()
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected_outputs.json")))
        let (batch, tokens) = (expected.input_ids.count, expected.input_ids[0].count)
        let input = TokenBatch(ids: expected.input_ids.flatMap { $0 }, attentionMask: expected.attention_mask.flatMap { $0 }, batch: batch, tokens: tokens)
        let states = withoutGradient { model(input).lastHiddenState }.scalars
        let width = configuration.hiddenSize
        let scale = expected.last_hidden_state_unpadded.flatMap { $0.flatMap { $0 } }.map(abs).max()!
        var worst: Float = 0
        for (row, rowStates) in expected.last_hidden_state_unpadded.enumerated() {
            for (position, values) in rowStates.enumerated() {
                let start = (row * tokens + position) * width
                worst = max(worst, zip(states[start..<(start + width)], values).map { abs($0 - $1) }.max()!)
            }
        }
        #expect(worst <= 1e-4 * scale, "largest difference \(worst) at scale \(scale)")
        let pooled = withoutGradient { Pooling(mode: .mean)(model(input), attentionMask: input.attentionMask) }.scalars
        let pooledWorst = zip(pooled, expected.mean_pooled.flatMap { $0 }).map { abs($0 - $1) }.max()!
        #expect(pooledWorst <= 1e-4 * scale, "mean pooling differs by \(pooledWorst)")
    }

    /// The folder a RoBERTa model saves keeps its model type, so transformers reads it as RoBERTa.
    @Test func configurationKeepsTheModelType() throws {
        let configuration = try BertConfiguration(contentsOf: TestPaths.fixture("families/roberta/config.json"))
        #expect(configuration.jsonObject["model_type"] as? String == "roberta")
        #expect(configuration.jsonObject["architectures"] as? [String] == ["RobertaModel"])
    }
}
