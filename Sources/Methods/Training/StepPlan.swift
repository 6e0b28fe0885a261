import Tensors

/// One training step of a method, described rather than run: the inputs whose rows the trained
/// (or a momentum) encoder embeds, and the losses over those embeddings. The ``Trainer``'s
/// ``StepRunner`` runs it directly, in chunks (gradient caching) or with the rows shared by the
/// processes of a data-parallel run, with the same result.
///
/// A step that cannot be split by rows (ALBEF's fusion of image and text) has no inputs and
/// computes its losses in `losses` alone; under data parallelism such a method plans its own
/// share of the batch (``StepBatch/share``).
///
/// ```swift
/// let plan = StepPlan(inputs: [.trained(anchors, by: embed), .trained(positives, by: embed)]) { z in
///     infoNCE(queries: z[0], keys: z[1])
/// }
/// ```
public struct StepPlan {
    /// One input of the step: how many rows it has and how any range of them is embedded.
    public struct Input {
        public var rows: Int
        /// Embeds the given rows (all of them, or a chunk or share of them); each row's result
        /// must not depend on which other rows are embedded with it, except through batch
        /// statistics (BatchNorm), which methods declare (``TrainingMethod/usesBatchStatistics``).
        public var embed: (Range<Int>) -> Tensor
        /// Whether gradients flow back through `embed` (the model being trained) or not (a
        /// momentum encoder, which embeds without gradient).
        public var trained: Bool

        /// Rows of the model being trained.
        public static func trained(rows: Int, by embed: @escaping (Range<Int>) -> Tensor) -> Input {
            Input(rows: rows, embed: embed, trained: true)
        }

        /// Rows of a model that is not trained by gradient (a momentum encoder).
        public static func fixed(rows: Int, by embed: @escaping (Range<Int>) -> Tensor) -> Input {
            Input(rows: rows, embed: embed, trained: false)
        }

        /// An encoder input of the sentence encoder being trained (sliced by rows, padding kept).
        public static func trained(_ input: EncoderInput, by embed: @escaping (EncoderInput) -> Tensor) -> Input {
            let n = input.batch.batch
            return trained(rows: n) { embed($0 == 0..<n ? input : input.rows($0)) }
        }

        /// An encoder input of a momentum encoder.
        public static func fixed(_ input: EncoderInput, by embed: @escaping (EncoderInput) -> Tensor) -> Input {
            let n = input.batch.batch
            return fixed(rows: n) { embed($0 == 0..<n ? input : input.rows($0)) }
        }
    }

    /// The inputs, embedded in this order (their dropout streams are drawn in this order).
    public var inputs: [Input]
    /// The losses over the embeddings of every input (whole batch, rows in input order).
    public var losses: ([Tensor]) -> StepLoss
    /// Called once with the same embeddings after `losses` (queue updates).
    public var afterLoss: (([Tensor]) -> Void)?

    /// A step whose loss is one tensor.
    public init(inputs: [Input], loss: @escaping ([Tensor]) -> Tensor, afterLoss: (([Tensor]) -> Void)? = nil) {
        self.init(inputs: inputs, losses: { StepLoss(loss($0)) }, afterLoss: afterLoss)
    }

    /// A step with named parts of its loss (or other values) to log.
    public init(inputs: [Input], losses: @escaping ([Tensor]) -> StepLoss, afterLoss: (([Tensor]) -> Void)? = nil) {
        self.inputs = inputs
        self.losses = losses
        self.afterLoss = afterLoss
    }
}

/// The loss a step minimises, and what else the method wants in `metrics.jsonl`.
public struct StepLoss {
    /// What is back-propagated.
    public var total: Tensor
    /// Parts of the total, logged as `<name>_loss` (ALBEF's `itc`, `itm`, `mlm`).
    public var parts: [String: Float]
    /// Other values of the step, logged under their names (ALBEF's `alpha`).
    public var values: [String: Double]

    public init(_ total: Tensor, parts: [String: Float] = [:], values: [String: Double] = [:]) {
        self.total = total
        self.parts = parts
        self.values = values
    }
}
