import Models
import NeuralNetworks
import Objectives
import Tensors

/// SimCSE (Gao, Yao & Chen 2021).
///
/// - Unsupervised: each sentence is its own positive; two passes through the encoder with
///   different dropout masks make the two views (done as one pass over the batch twice stacked,
///   so every position gets its own mask). An optional augmentation makes the second view.
/// - Supervised: NLI-style (anchor, entailed positive, contradicting hard negative), or mined
///   n-tuples with several hard negatives per anchor; hard negatives join the candidates of every
///   anchor, with `hardNegativeWeight` added to each anchor's own (with several negatives per
///   anchor this is sentence-transformers' `MultipleNegativesRankingLoss`).
///
/// Defaults (paper): temperature 0.05, lr 3e-5 (unsup.), batch 64, max length 32; with pooling
/// `cls`, an MLP (dense + tanh) over [CLS] during training only.
public final class SimCSE: TextMethod {
    public let encoder: SentenceEncoder
    /// SimCSE's training-only MLP over [CLS] (pooling `cls`), freshly initialised.
    public let mlp: Linear?
    public let loss: InfoNCELoss
    public let maxLength: Int
    /// Makes the second view of unsupervised examples (by default the same text: dropout only).
    public let views: PositiveViews

    /// - Parameter views: how the positive view of an unsupervised example is made.
    public init(encoder: SentenceEncoder, configuration c: TrainingSettings, views: PositiveViews = .dropout) {
        self.encoder = encoder
        encoder.pooling.mode = c.pooling
        var g = RandomGenerator(seed: c.seed &+ 0x5151)
        let width = encoder.model.hiddenSize
        mlp = c.pooling == .cls ? Linear(inputSize: width, outputSize: width, generator: &g) : nil
        loss = InfoNCELoss(similarity: CosineSimilarity(), temperature: .fixed(c.temperature), hardNegativeLogWeight: c.hardNegativeWeight)
        maxLength = c.maxLength
        self.views = views
    }

    public var heads: [(prefix: String, module: Module)] { mlp.map { [("mlp", $0)] } ?? [] }

    /// Embeddings of one view through the training pooling (and MLP).
    func embed(_ input: EncoderInput) -> Tensor {
        encoder.embed(input, pooler: mlp.map { layer in { layer($0).tanh() } })
    }

    /// The encoder inputs of one step and the loss over their embeddings.
    public func plan(_ batch: [TextExample], generator: inout RandomGenerator) -> StepPlan {
        let n = batch.count
        if batch.allSatisfy({ $0.positive == nil }) {
            let sentences = batch.map(\.anchor)
            if !views.isIdentity {
                let anchors = EncoderInput(encoder.batch(sentences, maxLength: maxLength))
                let positives = views.view(of: sentences, encoder: encoder, maxLength: maxLength, generator: &generator)
                return StepPlan(inputs: [.trained(anchors, by: embed), .trained(positives, by: embed)]) { z in
                    self.loss(queries: z[0], keys: z[1])
                }
            }
            // Dropout alone: one pass over the batch twice stacked gives every copy its own masks.
            let stacked = EncoderInput(encoder.batch(sentences + sentences, maxLength: maxLength))
            return StepPlan(inputs: [.trained(stacked, by: embed)]) { z in
                self.loss(queries: z[0].slice(axis: 0, 0..<n), keys: z[0].slice(axis: 0, n..<(2 * n)))
            }
        }
        ensure(batch.allSatisfy { $0.positive != nil }, "SimCSE: a batch mixes unsupervised and supervised examples")
        // One input, whose rows every process and chunk shares: anchors, positives, then each
        // example's hard negatives in turn (anchor i's m at rows 2n + i·m ..< 2n + (i+1)·m).
        let negatives = batch.flatMap(\.hardNegatives)
        let perAnchor = batch[0].hardNegatives.count
        let eachHasItsOwn = perAnchor > 0 && batch.allSatisfy { $0.hardNegatives.count == perAnchor }
        let rows = EncoderInput(encoder.batch(batch.map(\.anchor) + batch.map { $0.positive! } + negatives, maxLength: maxLength))
        return StepPlan(inputs: [.trained(rows, by: embed)]) { z in
            let z = z[0]
            let anchors = z.slice(axis: 0, 0..<n), positives = z.slice(axis: 0, n..<(2 * n))
            if eachHasItsOwn {
                return self.loss(queries: anchors, keys: positives, hardNegatives: z.slice(axis: 0, (2 * n)..<z.shape[0]))
            }
            // Anchors with different numbers of hard negatives: all of them join the candidate keys
            // of every anchor (in-batch negatives), without the per-anchor log-weight.
            return self.loss(queries: anchors, keys: negatives.isEmpty ? positives : z.slice(axis: 0, n..<z.shape[0]))
        }
    }
}
