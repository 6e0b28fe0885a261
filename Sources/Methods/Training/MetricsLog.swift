import Foundation

/// `metrics.jsonl`: one JSON object per line (training steps and evaluations), appended as the run
/// goes so that a crash loses at most the line being written.
public final class MetricsLog {
    /// A logged value.
    public enum Value: Encodable, Equatable {
        case int(Int)
        case double(Double)

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .int(let v): try c.encode(v)
            // JSON has no NaN or infinity: a non-finite value is written as null.
            case .double(let v): if v.isFinite { try c.encode(v) } else { try c.encodeNil() }
            }
        }
    }

    public let url: URL
    private let handle: FileHandle

    public init(url: URL) throws {
        self.url = url
        let fm = FileManager.default
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // A file that cannot be created fails to open just below, with the path in the error.
        if !fm.fileExists(atPath: url.path) { _ = fm.createFile(atPath: url.path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: url.path) else { throw TrainingError.io("\(url.path): cannot open for writing") }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends one record.
    public func append(_ record: [String: Value]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var line = try encoder.encode(record)
        line.append(0x0A)
        handle.write(line)
    }

    /// Drops records of steps after `step` (written after the checkpoint a run resumes from).
    public func truncate(after step: Int) throws {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let kept = text.split(separator: "\n").filter { line in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let s = object["step"] as? Int else { return false }
            return s <= step
        }
        try Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8).write(to: url)
        handle.seekToEndOfFile()
    }
}
