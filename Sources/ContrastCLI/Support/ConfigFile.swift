import Foundation
import Methods

/// `--config FILE`: a JSON object of training settings, named as in the `config.json` a run writes
/// (so a finished run's config reproduces it). Keys it does not know are rejected.
enum ConfigFile {
    static func apply(_ url: URL, to configuration: inout TrainingConfiguration) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CLIError.data("\(url.path): cannot be read") }
        guard let overrides = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CLIError.data("\(url.path): is not a JSON object")
        }
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as! [String: Any]
        let known = Set(merged.keys).union(["maxSteps", "evaluateEvery", "checkpointEvery", "maxGradientNorm"])
        if let unknown = overrides.keys.sorted().first(where: { !known.contains($0) }) {
            throw CLIError.data("\(url.path): unknown setting '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        merged.merge(overrides) { _, new in new }
        do {
            configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            throw CLIError.data("\(url.path): setting '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type or value")
        }
    }
}
