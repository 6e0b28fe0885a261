/// Why an `--augment` value was rejected; its `description` is one line that lists the accepted
/// names where that helps.
///
/// ```swift
/// do { _ = try AugmentationSpec(parsing: "shuffle") } catch { print(error) }
/// // unknown augmentation 'shuffle' (expected one of: none, repetition, ...)
/// ```
public enum AugmentationSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name is not one of ``AugmentationSpec/names``.
    case unknownName(String)
    /// The text after `:` is not a number.
    case invalidRate(name: String, text: String)
    /// The rate is outside 0...1.
    case rateOutOfRange(name: String, value: Double)
    /// A rate was given to an augmentation that takes none.
    case unexpectedRate(name: String)

    public var description: String {
        switch self {
        case .unknownName(let name):
            "unknown augmentation '\(name)' (expected one of: \(AugmentationSpec.names.joined(separator: ", ")))"
        case .invalidRate(let name, let text): "\(name): rate '\(text)' is not a number"
        case .rateOutOfRange(let name, let value): "\(name): rate \(value) is outside 0...1"
        case .unexpectedRate(let name): "\(name) takes no rate"
        }
    }
}
