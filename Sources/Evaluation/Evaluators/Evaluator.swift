import Tensors

/// Embeds a batch of sentences: row `i` of the `[count, d]` result is the embedding of
/// `sentences[i]`. Any model fits behind it (a BERT encoder with pooling, a lookup table in tests).
public typealias EmbeddingFunction = (_ sentences: [String]) throws -> Tensor

/// Called as work advances with the items done so far and the total, for progress display.
public typealias ProgressHandler = (_ done: Int, _ total: Int) -> Void

/// A task that scores an encoder and returns named metrics, as sentence-transformers'
/// `evaluation/` evaluators do: small objects holding their data, run on any encoder.
///
/// ```swift
/// let evaluators: [any Evaluator] = [STSEvaluator(name: "sts-dev", pairs: dev), STSEvaluator(sick: trial)]
/// for evaluator in evaluators { print(try evaluator.evaluate(encode)) }
/// ```
public protocol Evaluator {
    /// Prefix of the metric names, e.g. `"sts-dev"` gives `"sts-dev_spearman"`.
    var name: String { get }

    /// Runs the task on `encode`, reporting progress to `progress` when given.
    ///
    /// - Throws: ``EvaluationError`` when the task's data cannot be evaluated; whatever `encode` throws.
    func evaluate(_ encode: EmbeddingFunction, progress: ProgressHandler?) throws -> [String: Double]
}

extension Evaluator {
    /// Runs the task on `encode` without progress reports.
    public func evaluate(_ encode: EmbeddingFunction) throws -> [String: Double] {
        try evaluate(encode, progress: nil)
    }
}
