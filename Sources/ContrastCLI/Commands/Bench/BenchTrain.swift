import ArgumentParser
import Foundation
import Methods
import Models
import NeuralNetworks
import Objectives
import Tensors

/// `contrast bench train`: one unsupervised SimCSE step (two dropout views, InfoNCE, AdamW).
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Sentences per second and peak memory of unsupervised SimCSE training steps on a text encoder of a named shape.",
        discussion: "A step: forward of the batch twice stacked (dropout 0.1 gives two views), InfoNCE at temperature 0.05 on [CLS], backward, AdamW.")

    @OptionGroup var model: ModelBenchOptions
    @Option(help: "Timed steps (after 2 warm-up steps).") var repeats = 10

    func validate() throws {
        try model.validate(repeats: repeats)
        guard model.shape.isTextEncoder else {
            throw ValidationError("--shape \(model.shape.rawValue) is not a text encoder (bench train takes \(EncoderShape.allCases.filter(\.isTextEncoder).map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() throws {
        let (model, single) = self.model.randomTextEncoder()
        let (shape, batchSize, seqLen, json) = (self.model.shape, self.model.batchSize, self.model.seqLen, self.model.json)
        let twice = TokenBatch(ids: single.ids + single.ids, attentionMask: single.attentionMask + single.attentionMask,
                               batch: 2 * batchSize, tokens: seqLen)
        let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: 3e-5, weightDecay: 0)
        let loss = InfoNCELoss(temperature: .fixed(0.05))
        let pooling = Pooling(mode: .clsBeforePooler)
        let (seconds, kernels) = self.model.measuring {
            Stopwatch.median(warmup: 2, repeats: repeats) {
                optimizer.zeroGrad()
                // As training runs it (SentenceEncoder.embed): [CLS] pooling computes the last layer at [CLS] only.
                let z = pooling(model(twice, attentionMask: nil, wordEmbeddingHook: nil, lastLayerTokens: 0..<1, hiddenStates: pooling.mode.hiddenStates), attentionMask: twice.attentionMask)
                loss(queries: z.slice(axis: 0, 0..<batchSize), keys: z.slice(axis: 0, batchSize..<(2 * batchSize))).backward()
                optimizer.step()
            }
        }
        let result = self.model.result(secondsPerBatch: seconds, kernels: kernels, peakTensorMegabytes: Double(TensorMemory.peakBytes) / 1_048_576)
        Report.result(json: json, "train simcse \(shape.rawValue) \(result.precision) batch \(batchSize) x \(seqLen): \(Format.fixed(result.ms_per_step, 1)) ms/step, "
            + "\(Format.fixed(result.sentences_per_s, 1)) sentences/s, peak RSS \(Format.fixed(result.peak_rss_mb, 0)) MB, "
            + "peak tensors \(Format.fixed(result.peak_tensor_mb ?? 0, 0)) MB (\(result.threads) threads; \(result.kernelSummary))")
        if json { try Report.json(result) }
    }
}
