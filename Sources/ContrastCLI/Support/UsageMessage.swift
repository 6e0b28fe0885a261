import Text

/// The argument parser's usage errors as one line naming the flag: its message without the usage
/// block; an invalid choice (`--pooling meen`) as `--pooling: 'meen' is not one of cls, ..., mean
/// (did you mean 'mean'?)` instead of a bulleted list; a negative number (`--batch-size -4`, which
/// the parser reads as a missing value followed by a flag) as what it is.
enum UsageMessage {
    static func line(_ message: String, arguments: [String]) -> String {
        let lines = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = lines.first else { return "usage error" }
        if let missing = first.firstMatch(of: /Missing value for '(-[^ ']+)/), let index = arguments.firstIndex(of: String(missing.1)),
           index + 1 < arguments.count, let number = Double(arguments[index + 1]), number < 0 {
            return "\(missing.1): '\(arguments[index + 1])' is negative (a positive number is expected)"
        }
        guard let invalid = first.firstMatch(of: /The value '(.*)' is invalid for '(-[^ ']+)[^']*'/) else { return first }
        let (value, flag) = (String(invalid.1), invalid.2)
        guard let offer = first.range(of: "provide one of") else { return "\(flag): '\(value)' is not a valid value" }
        // Either a list of "- choice" lines or "'a', 'b' and 'c'" on the same line.
        let listed = lines.dropFirst().prefix { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
        let inline = first[offer.upperBound...].matches(of: /'([^']+)'/).map { String($0.1) }
        let choices = listed.isEmpty ? inline : listed
        return "\(flag): '\(value)' is not one of \(choices.joined(separator: ", "))\(EditDistance.suggestion(for: value, among: choices))"
    }
}
