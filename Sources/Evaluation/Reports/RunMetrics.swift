import Foundation

/// The records of a run's `metrics.jsonl`, as the trainer writes them: one JSON object per line,
/// either a training step (`step`, `loss`, `lr` and a throughput `<unit>_per_s`: `sentences_per_s`
/// from text trainers, `images_per_s` from image trainers) or an evaluation (`step` and
/// metrics named `<evaluator>_<metric>`, e.g. `sts_spearman`).
///
/// The trainer appends each line whole, ending in a newline, so a crash can leave only the last
/// line cut short: an unparseable last line without its newline is skipped (and
/// ``skippedTruncatedLine`` set); any other malformed line is an error naming it.
public struct RunMetrics: Sendable, Equatable {
    /// One optimizer step's record.
    public struct Step: Sendable, Equatable {
        /// Steps done (1-based).
        public var step: Int
        /// The step's training loss.
        public var loss: Double
        /// The learning rate the step used.
        public var learningRate: Double
        /// Training examples per second over the step.
        public var examplesPerSecond: Double
        /// What the examples are (`sentences`, `images`): the prefix of the log's `<unit>_per_s` key.
        public var unit: String
    }

    /// One evaluation's record.
    public struct Evaluation: Sendable, Equatable {
        /// Steps done when it ran.
        public var step: Int
        /// Its metrics by name (`sts_spearman`, ...).
        public var metrics: [String: Double]
    }

    /// Training steps, in file order.
    public var steps: [Step]
    /// Evaluations, in file order.
    public var evaluations: [Evaluation]
    /// Whether a truncated last line was skipped.
    public var skippedTruncatedLine: Bool

    /// Reads `file`.
    ///
    /// - Throws: ``RunReportError`` when the file cannot be read or a line other than a truncated
    ///   last one is malformed.
    public static func read(_ file: URL) throws -> RunMetrics {
        guard let data = try? Data(contentsOf: file) else { throw RunReportError.unreadable(path: file.path) }
        return try RunMetrics(parsing: String(decoding: data, as: UTF8.self), path: file.path)
    }

    /// Parses the text of a metrics log; `path` names it in errors.
    ///
    /// - Throws: ``RunReportError/malformedLine(path:line:reason:)`` for a malformed line other
    ///   than a truncated last one.
    public init(parsing text: String, path: String) throws {
        steps = []
        evaluations = []
        skippedTruncatedLine = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            do {
                try add(line)
            } catch {
                // Only the unterminated last line can be a write cut short by a crash.
                guard index == lines.count - 1, !text.hasSuffix("\n") else {
                    throw RunReportError.malformedLine(path: path, line: index + 1, reason: error.text)
                }
                skippedTruncatedLine = true
            }
        }
    }

    /// The ending of a step record's throughput key (`sentences_per_s`, `images_per_s`).
    static let throughputSuffix = "_per_s"

    /// Why a line is not a record.
    private struct LineProblem: Error {
        let text: String
    }

    private mutating func add(_ line: Substring) throws(LineProblem) {
        // `null` stands for a value that was not finite (the loss of a skipped step): left out.
        guard let decoded = try? JSONDecoder().decode([String: Double?].self, from: Data(line.utf8)) else {
            throw LineProblem(text: "not a JSON object of numbers")
        }
        let record = decoded.compactMapValues { $0 }
        func value(_ key: String) throws(LineProblem) -> Double {
            guard let value = record[key] else { throw LineProblem(text: "missing \"\(key)\"") }
            return value
        }
        let step = try value("step")
        guard step >= 0, step == step.rounded(), step < Double(Int.max) else {
            throw LineProblem(text: "\"step\" is not a whole number of steps")
        }
        if record["skipped"] != nil {
            return
        }
        if decoded.keys.contains("loss") {
            // A skipped step's loss was not finite (logged as null): NaN, which charts leave out.
            let learningRate = try value("lr")
            // Exactly one throughput key: its prefix names the examples.
            let rates = record.keys.filter { $0.hasSuffix(Self.throughputSuffix) }
            guard rates.count == 1, let rate = rates.first else {
                throw LineProblem(text: "expected one throughput \"<unit>\(Self.throughputSuffix)\", found \(rates.count)")
            }
            steps.append(Step(step: Int(step), loss: record["loss"] ?? .nan, learningRate: learningRate,
                              examplesPerSecond: try value(rate), unit: String(rate.dropLast(Self.throughputSuffix.count))))
        } else {
            evaluations.append(Evaluation(step: Int(step), metrics: record.filter { $0.key != "step" }))
        }
    }

    /// The evaluations that report `metric`, as (step, value) in step order.
    public func values(of metric: String) -> [(step: Int, value: Double)] {
        evaluations.compactMap { e in e.metrics[metric].map { (e.step, $0) } }.sorted { $0.step < $1.step }
    }
}
