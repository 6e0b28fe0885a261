import Foundation
import Text

/// A run's `training_config.json` (the resolved training settings) as (name, value) rows for the
/// report, each value written as JSON text so any setting shows exactly as saved.
struct RunSettings {
    /// The file's name in a run folder (`TrainingSettings.fileName`).
    static let fileName = "training_config.json"

    /// The settings, sorted by name.
    let rows: [(name: String, value: String)]

    /// Reads `file`; `nil` when the run has none (runs made outside the trainer).
    ///
    /// - Throws: ``TextFileError`` naming the file when it is not a JSON object.
    static func read(_ file: URL) throws -> RunSettings? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let rows = try JSONFile(file).root.sorted { $0.key < $1.key }.map { name, value in
            // Values parsed from JSON always serialise back; "?" only guards the API's optional.
            let json = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
            return (name, json.map { String(decoding: $0, as: UTF8.self) } ?? "?")
        }
        return RunSettings(rows: rows)
    }
}
