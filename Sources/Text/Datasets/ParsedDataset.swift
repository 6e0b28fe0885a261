/// The examples read from a dataset file, with the number of empty lines that were skipped
/// (worth reporting: a file with many is often not the file the user meant).
public struct ParsedDataset<Example: Sendable>: Sendable {
    /// The examples, in file order.
    public var examples: [Example]
    /// How many empty lines were skipped.
    public var skippedEmptyLines: Int

    /// Creates a parsed dataset.
    public init(examples: [Example], skippedEmptyLines: Int) {
        self.examples = examples
        self.skippedEmptyLines = skippedEmptyLines
    }
}

extension ParsedDataset: Equatable where Example: Equatable {}
