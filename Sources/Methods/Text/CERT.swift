import Augmentation
import Models
import NeuralNetworks
import Objectives
import Tensors

/// CERT's contrastive stage (Fang et al. 2020): MoCo over augmented sentences. Two views of each
/// sentence (back-translated paraphrases in the paper; any `--augment`) go through the query
/// encoder and through a momentum key encoder; each query's positive is its own key and the
/// negatives come from a queue of past keys. The encoder is then fine-tuned on the target task
/// (`SentencePairClassifier`).
///
/// Per step: `q` = online(view 1), `k` = momentum(view 2) without gradient; loss = InfoNCE with
/// only the own key as positive plus the queue (read before `k` is enqueued); the momentum
/// update follows the optimizer step.
///
/// Defaults: MoCo's temperature 0.07 and momentum 0.999; queue 1024 (the paper's 65,536 keys
/// exceed our corpora).
public final class CERT: TextMethod {
    public let encoder: SentenceEncoder
    public let momentum: MomentumEncoder
    public let views: PositiveViews
    public let loss: InfoNCELoss
    let maxLength: Int

    public init(encoder: SentenceEncoder, configuration c: TrainingSettings, views: PositiveViews) {
        self.encoder = encoder
        encoder.pooling.mode = c.evaluationPooling
        momentum = MomentumEncoder(copying: encoder, head: nil, momentum: c.momentum, queueSize: c.queueSize)
        self.views = views
        loss = InfoNCELoss(temperature: .fixed(c.temperature), inBatchNegatives: false)
        maxLength = c.maxLength
    }


    public func plan(_ batch: [TextExample], generator: inout RandomGenerator) -> StepPlan {
        let sentences = batch.map(\.anchor)
        let queries = views.view(of: sentences, encoder: encoder, maxLength: maxLength, generator: &generator)
        let keys = views.view(of: sentences, encoder: encoder, maxLength: maxLength, generator: &generator)
        // Read before this batch's keys enter the queue: a key is not its own negative.
        let negatives = momentum.negatives
        return StepPlan(
            inputs: [.trained(queries, by: { self.encoder.embed($0, pooler: nil) }), .fixed(keys, by: momentum.embed)],
            loss: { z in self.loss(queries: z[0], keys: z[1], queue: negatives) },
            afterLoss: { z in self.momentum.queue.enqueue(z[1]) })
    }

    public func didStep(_ step: Int) { momentum.update(step: step) }
    public var momentumEncoder: MomentumEncoder? { momentum }
}
