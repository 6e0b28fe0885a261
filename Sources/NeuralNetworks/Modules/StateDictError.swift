/// Why a state dict (named tensors) does not fit a module or an optimizer.
///
/// ```swift
/// do { try model.load(stateDict: tensors) }
/// catch let error as StateDictError { print(error) }  // one line naming every offending key
/// ```
public struct StateDictError: Error, Equatable, CustomStringConvertible {
    /// A key whose tensor has a different shape than the parameter it should fill.
    public struct ShapeMismatch: Equatable, Sendable {
        /// The state dict key.
        public let key: String
        /// The parameter's shape.
        public let expected: [Int]
        /// The state dict tensor's shape.
        public let found: [Int]

        /// A mismatch of `key`.
        public init(key: String, expected: [Int], found: [Int]) {
            self.key = key
            self.expected = expected
            self.found = found
        }
    }

    /// Parameters the state dict does not provide (sorted).
    public let missingKeys: [String]
    /// Keys of the state dict that name no parameter (sorted).
    public let unexpectedKeys: [String]
    /// Keys whose shapes disagree (sorted by key).
    public let shapeMismatches: [ShapeMismatch]

    /// An error (or report) with the keys sorted.
    public init(missingKeys: [String] = [], unexpectedKeys: [String] = [], shapeMismatches: [ShapeMismatch] = []) {
        self.missingKeys = missingKeys.sorted()
        self.unexpectedKeys = unexpectedKeys.sorted()
        self.shapeMismatches = shapeMismatches.sorted { $0.key < $1.key }
    }

    /// Whether nothing is wrong.
    var isEmpty: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("missing keys: \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { parts.append("unexpected keys: \(unexpectedKeys.joined(separator: ", "))") }
        if !shapeMismatches.isEmpty {
            let shapes = shapeMismatches.map { "\($0.key) expected \($0.expected) found \($0.found)" }
            parts.append("shape mismatches: \(shapes.joined(separator: ", "))")
        }
        return "state dict does not fit: " + parts.joined(separator: "; ")
    }
}
