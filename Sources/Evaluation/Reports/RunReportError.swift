/// A run folder whose files cannot be reported on, with a one-line message naming the file (and
/// the line, for `metrics.jsonl`).
public enum RunReportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file that is missing or cannot be read.
    case unreadable(path: String)
    /// A line of a JSON Lines file that is not a valid record (1-based `line`).
    case malformedLine(path: String, line: Int, reason: String)
    /// A file whose content is not what the report expects.
    case malformedFile(path: String, reason: String)

    /// The message, as `path:line: reason` for a bad line.
    public var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot be read"
        case .malformedLine(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .malformedFile(let path, let reason): "\(path): \(reason)"
        }
    }
}
