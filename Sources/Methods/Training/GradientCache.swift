import Models
import NeuralNetworks
import Tensors

/// The encoder inputs of one training step and the loss over their embeddings (one tensor per
/// input, rows in input order). Separating the two lets the same step run directly or in chunks.
public struct EmbeddingPlan {
    public var inputs: [EncoderInput]
    public var loss: ([Tensor]) -> Tensor

    public init(inputs: [EncoderInput], loss: @escaping ([Tensor]) -> Tensor) {
        self.inputs = inputs
        self.loss = loss
    }
}

/// Gradient caching (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under Memory
/// Limited Setup"): the batch's embeddings are computed in chunks without a graph; the loss and
/// its gradient with respect to the embeddings are computed on the whole batch; then each chunk is
/// encoded again with a graph, replaying the same dropout masks, and back-propagated with its
/// slice of the cached embedding gradient. Parameter gradients equal the whole batch's; memory
/// holds one chunk's activations at a time.
///
/// ```swift
/// let loss = GradientCache(chunkSize: 64).loss(plan, embed: method.embed, source: model.source)
/// // gradients are already accumulated; `loss` carries no graph
/// ```
public struct GradientCache: Sendable {
    public let chunkSize: Int

    public init(chunkSize: Int) {
        ensure(chunkSize > 0, "GradientCache: chunk size \(chunkSize) must be positive")
        self.chunkSize = chunkSize
    }

    /// Runs `plan`, accumulating parameter gradients; returns the loss value (without a graph).
    ///
    /// Word-embedding hooks (Cutoff) act on a whole input, so inputs with one cannot be chunked.
    public func loss(_ plan: EmbeddingPlan, embed: (EncoderInput) -> Tensor, source: RandomSource) -> Tensor {
        ensure(plan.inputs.allSatisfy { $0.wordEmbeddingHook == nil },
               "GradientCache: views that transform the word embeddings (Cutoff) cannot be chunked")
        let chunks = plan.inputs.map { input in
            stride(from: 0, to: input.batch.batch, by: chunkSize).map { input.rows($0..<min($0 + chunkSize, input.batch.batch)) }
        }
        // Pass 1: embeddings without a graph, remembering where each chunk's dropout masks start.
        var starts: [[RandomGenerator]] = []
        var cached: [Tensor] = []
        for inputChunks in chunks {
            var chunkStarts: [RandomGenerator] = []
            var parts: [Tensor] = []
            for chunk in inputChunks {
                chunkStarts.append(source.snapshot())
                parts.append(withoutGradient { embed(chunk) })
            }
            starts.append(chunkStarts)
            cached.append(Tensor.concat(parts, axis: 0).requiringGradient())
        }
        let end = source.snapshot()
        // The loss on the whole batch, back-propagated to the embeddings only.
        let loss = plan.loss(cached)
        loss.backward()
        // Pass 2: each chunk again with a graph and the same masks, fed its slice of the gradient.
        for (i, inputChunks) in chunks.enumerated() {
            guard let gradient = cached[i].grad else { continue }
            var row = 0
            for (chunk, start) in zip(inputChunks, starts[i]) {
                source.restore(start)
                let rows = chunk.batch.batch
                embed(chunk).backward(gradient.slice(axis: 0, row..<(row + rows)))
                row += rows
            }
        }
        source.restore(end)
        return loss.detached()
    }
}

extension EncoderInput {
    /// The rows `range` of this input (same padded length; a mask override is sliced alike).
    func rows(_ range: Range<Int>) -> EncoderInput {
        let t = batch.tokens
        let span = (range.lowerBound * t)..<(range.upperBound * t)
        return EncoderInput(
            TokenBatch(ids: Array(batch.ids[span]), attentionMask: Array(batch.attentionMask[span]),
                       tokenTypeIDs: Array(batch.tokenTypeIDs[span]), batch: range.count, tokens: t),
            attentionMask: attentionMask.map { Array($0[span]) })
    }
}
