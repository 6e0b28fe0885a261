import Collectives
import NeuralNetworks
import Tensors

/// Runs a step's ``StepPlan``: directly, with gradient caching, and/or with the batch's rows
/// split across the processes of a data-parallel run. Every way gives the loss and the parameter
/// gradients of the direct run (up to rounding), dropout masks included, for models without
/// batch statistics.
///
/// - Gradient caching (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under
///   Memory Limited Setup"): each input is embedded in chunks of `gradientCacheChunk` rows
///   without a graph; the loss and its gradient with respect to the embeddings are computed on
///   the whole batch; then each chunk is embedded again with a graph and back-propagated with
///   its slice of that gradient. Memory holds one chunk's activations at a time.
/// - Data parallelism: each process embeds its share of every input's rows, the embeddings are
///   gathered from all processes with gradient (`Tensor.allGathered`), and every process computes
///   the loss of the whole batch, so each sees every other's negatives. The gather's backward
///   returns each process the gradient of its own rows; the trainer then averages parameter
///   gradients over processes.
///
/// Every part of an input (chunk or share) is embedded from the dropout state the whole input
/// starts from, with the source's `rowOffset` at the part's first row, so each row gets the
/// masks it has when the whole batch is embedded at once.
///
/// ```swift
/// let runner = StepRunner(source: encoder.model.source, gradientCacheChunk: 64)
/// let loss = runner.loss(plan)
/// if loss.total.requiresGrad { loss.total.backward() }   // gradient caching has back-propagated already
/// ```
public struct StepRunner {
    /// The dropout source of the model being trained, if it has one.
    public let source: RandomSource?
    /// Rows per chunk of gradient caching, or `nil` to embed each input (share) at once.
    public let gradientCacheChunk: Int?
    public let communicator: any Communicator

    public init(source: RandomSource?, gradientCacheChunk: Int? = nil, communicator: any Communicator = SingleProcess()) {
        ensure(gradientCacheChunk.map { $0 > 0 } ?? true, "StepRunner: chunk size \(gradientCacheChunk!) must be positive")
        self.source = source
        self.gradientCacheChunk = gradientCacheChunk
        self.communicator = communicator
    }

    /// This process's part of one input: its rows, and the chunks it embeds them in.
    private struct Part {
        let input: StepPlan.Input
        let rows: Range<Int>
        let chunks: [Range<Int>]
        /// The dropout state the whole input starts from.
        let start: RandomGenerator?
        /// The embeddings of `rows` (a leaf of cached embeddings under gradient caching).
        let embeddings: Tensor
    }

    /// Runs `plan`. Without gradient caching the loss carries the graph (call `backward()`); with
    /// it, gradients are already accumulated and the loss is a plain value.
    public func loss(_ plan: StepPlan) -> StepLoss {
        if gradientCacheChunk == nil && communicator.size == 1 || plan.inputs.isEmpty {
            let embeddings = plan.inputs.map { $0.embed(0..<$0.rows) }
            let loss = plan.losses(embeddings)
            plan.afterLoss?(embeddings)
            return loss
        }
        let parts = plan.inputs.map(embedShare)
        let end = source?.snapshot()
        let gathered = parts.map { $0.embeddings.allGathered(rows: $0.input.rows, over: communicator) }
        var loss = plan.losses(gathered)
        plan.afterLoss?(gathered.map { $0.detached() })
        guard gradientCacheChunk != nil else { return loss }
        if loss.total.requiresGrad { loss.total.backward() }
        // Each chunk again with a graph and the same masks, fed its slice of the cached gradient.
        for part in parts where part.input.trained {
            guard let gradient = part.embeddings.grad else { continue }
            for chunk in part.chunks {
                if let start = part.start { source?.restore(start) }
                let slice = (chunk.lowerBound - part.rows.lowerBound)..<(chunk.upperBound - part.rows.lowerBound)
                embed(part.input, chunk).backward(gradient.slice(axis: 0, slice))
            }
        }
        if let end { source?.restore(end) }
        loss.total = loss.total.detached()
        return loss
    }

    /// Embeds this process's rows of `input`: at once with a graph, or in chunks without one.
    private func embedShare(_ input: StepPlan.Input) -> Part {
        ensure(input.rows >= communicator.size, "StepRunner: \(input.rows) rows cannot be shared by \(communicator.size) processes")
        let rows = communicator.shard(of: input.rows)
        let start = source?.snapshot()
        guard let size = gradientCacheChunk else {
            return Part(input: input, rows: rows, chunks: [rows], start: start, embeddings: embed(input, rows))
        }
        let chunks = stride(from: rows.lowerBound, to: rows.upperBound, by: size).map { $0..<min($0 + size, rows.upperBound) }
        let pieces = chunks.map { chunk in
            if let start { source?.restore(start) }
            return withoutGradient { embed(input, chunk) }
        }
        let cached = Tensor.concat(pieces, axis: 0).requiringGradient(input.trained)
        return Part(input: input, rows: rows, chunks: chunks, start: start, embeddings: cached)
    }

    /// The embeddings of rows `rows` of `input`, with the masks those rows get in the whole input.
    private func embed(_ input: StepPlan.Input, _ rows: Range<Int>) -> Tensor {
        guard let source, rows.lowerBound > 0 else { return input.embed(rows) }
        return source.withRowOffset(rows.lowerBound) { input.embed(rows) }
    }
}
