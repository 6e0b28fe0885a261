import Foundation

/// A run's `training_config.json` (the resolved training settings) as (name, value) rows for the
/// report, each value written as JSON text so any setting shows exactly as saved.
struct RunSettings {
    /// The file's name in a run folder (`TrainingSettings.fileName`).
    static let fileName = "training_config.json"

    /// The settings, sorted by name.
    let rows: [(name: String, value: String)]

    /// Reads `file`; `nil` when the run has none (runs made outside the trainer).
    ///
    /// - Throws: ``RunReportError/malformedFile(path:reason:)`` when it is not a JSON object.
    static func read(_ file: URL) throws -> RunSettings? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw RunReportError.malformedFile(path: file.path, reason: "is not a JSON object")
        }
        let rows = object.sorted { $0.key < $1.key }.map { name, value in
            // Values parsed from JSON always serialise back; "?" only guards the API's optional.
            let json = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
            return (name, json.map { String(decoding: $0, as: UTF8.self) } ?? "?")
        }
        return RunSettings(rows: rows)
    }
}
