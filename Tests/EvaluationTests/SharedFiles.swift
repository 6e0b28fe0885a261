import Foundation

/// The shared folder beside the repository (datasets and reference values), found from this
/// file's path (Tests/EvaluationTests/SharedFiles.swift).
enum SharedFiles {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    /// A file of the shared folder, e.g. `"data/stsb/sts-dev.csv"`.
    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }
}
