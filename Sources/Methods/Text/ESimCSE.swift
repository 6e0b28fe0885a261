import Augmentation
import Models
import NeuralNetworks
import Objectives
import Tensors

/// ESimCSE (Wu et al. 2021): unsupervised SimCSE whose positive view repeats a few words (so
/// length no longer tells positives apart) and whose negatives include a queue of embeddings from
/// a momentum encoder.
///
/// Per step: `z1` = online encoder on the sentences, `z2` = online encoder on their word-repeated
/// view (dropout on both); loss = InfoNCE over `[z2 | queue]` at temperature τ; then the momentum
/// encoder (no dropout, no gradient) embeds the repeated view and those embeddings enter the queue,
/// after the loss read it. The momentum update follows the optimizer step.
///
/// Defaults (paper): duplication rate 0.32, momentum 0.995, queue 160 (2.5 × batch 64), τ 0.05.
public final class ESimCSE: TextMethod {
    public let simcse: SimCSE
    public let momentum: MomentumEncoder

    public init(encoder: SentenceEncoder, configuration c: TrainingSettings, views: PositiveViews? = nil) throws {
        let repetition = try views ?? PositiveViews(.tokens(.repetition(WordRepetition(rate: Double(c.duplicationRate)))))
        simcse = SimCSE(encoder: encoder, configuration: c, views: repetition)
        momentum = MomentumEncoder(copying: encoder, head: simcse.mlp, momentum: c.momentum, queueSize: c.queueSize)
    }

    public var encoder: SentenceEncoder { simcse.encoder }
    public var heads: [(prefix: String, module: Module)] { simcse.heads }

    public func plan(_ batch: [TextExample], generator: inout RandomGenerator) -> StepPlan {
        let sentences = batch.map(\.anchor)
        let anchors = EncoderInput(encoder.batch(sentences, maxLength: simcse.maxLength))
        let view = simcse.views.view(of: sentences, encoder: encoder, maxLength: simcse.maxLength, generator: &generator)
        // Read before this batch's keys enter the queue: a sentence is not its own negative.
        let negatives = momentum.negatives
        return StepPlan(
            inputs: [.trained(anchors, by: simcse.embed), .trained(view, by: simcse.embed), .fixed(view, by: momentum.embed)],
            loss: { z in self.simcse.loss(queries: z[0], keys: z[1], queue: negatives) },
            afterLoss: { z in self.momentum.queue.enqueue(z[2]) })
    }

    public func didStep(_ step: Int) { momentum.update(step: step) }
    public var momentumEncoder: MomentumEncoder? { momentum }
}
