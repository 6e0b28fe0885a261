/// A dataset that cannot be evaluated (data, not programming, errors), with a one-line message.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the evaluator.
    public let description: String

    /// Creates an error with a one-line message.
    public init(_ description: String) { self.description = description }
}
