import Foundation
import Methods

/// `--config FILE`: JSON or flat YAML training settings (``TrainingConfiguration/apply(contentsOf:)``).
enum ConfigFile {
    static func apply(_ url: URL, to configuration: inout TrainingConfiguration) throws {
        do { try configuration.apply(contentsOf: url) } catch let error as TrainingError { throw CLIError.data(error.description) }
    }
}
