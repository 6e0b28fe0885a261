import Tensors

/// One training step of an embedding method, described rather than run: the encoder inputs of
/// the whole batch and the loss over their embeddings. `StepRunner` runs it directly, in chunks
/// (gradient caching) or split across processes, with the same result.
///
/// ```swift
/// let plan = EmbeddingPlan(inputs: [.trained(anchors, by: embed), .trained(positives, by: embed)]) { z in
///     infoNCE(queries: z[0], keys: z[1])
/// }
/// ```
public struct EmbeddingPlan {
    /// One input of the step and the encoder that embeds it.
    public struct Input {
        public var input: EncoderInput
        /// Embeds the rows of `input` given to it (all of them, or a chunk or share of them).
        public var embed: (EncoderInput) -> Tensor
        /// Whether gradients flow back through `embed` (the encoder being trained) or not (a
        /// momentum encoder, which embeds without gradient).
        public var trained: Bool

        /// An input of the encoder being trained.
        public static func trained(_ input: EncoderInput, by embed: @escaping (EncoderInput) -> Tensor) -> Input {
            Input(input: input, embed: embed, trained: true)
        }

        /// An input of an encoder that is not trained by gradient (a momentum encoder).
        public static func fixed(_ input: EncoderInput, by embed: @escaping (EncoderInput) -> Tensor) -> Input {
            Input(input: input, embed: embed, trained: false)
        }
    }

    /// The inputs, embedded in this order (their dropout streams are drawn in this order).
    public var inputs: [Input]
    /// The loss over the embeddings of every input (whole batch, rows in input order).
    public var loss: ([Tensor]) -> Tensor
    /// Called once with the same embeddings after `loss` (queue updates).
    public var afterLoss: (([Tensor]) -> Void)?

    public init(inputs: [Input], loss: @escaping ([Tensor]) -> Tensor, afterLoss: (([Tensor]) -> Void)? = nil) {
        self.inputs = inputs
        self.loss = loss
        self.afterLoss = afterLoss
    }
}
