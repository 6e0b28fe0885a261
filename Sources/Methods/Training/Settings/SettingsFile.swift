import Foundation
import Text

/// A command-line setting that cannot be used (unknown, missing value, wrong type): a usage error.
public struct SettingsError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Settings as files and flags: `training_config.json` records every setting of the run's method
/// keyed by its flag's name, so that `--config RUN/training_config.json` replays a run exactly and
/// `--resume` can refuse settings that change it. A `--config` file is a JSON object or flat YAML
/// (`.yaml`, `.yml`: one `key: value` per line):
///
/// ```yaml
/// # run.yaml
/// lr: 3.0e-5
/// batch-size: 64
/// max-grad-norm: none
/// ```
extension TrainingSettings {
    /// The settings file's name in a run folder (`config.json` there is the trained model's).
    public static let fileName = "training_config.json"

    /// Settings a resumed run may change: how long it runs and how it is watched and saved, not
    /// what each step computes.
    public var changeableOnResume: [String] { settings.filter(\.changeableOnResume).map(\.name) }

    /// Every setting's value by name, unset ones as `NSNull`: what `training_config.json` holds,
    /// so that a disabled setting (`max-grad-norm: null`, no clipping) replays as disabled.
    public var values: [String: Any] {
        Dictionary(uniqueKeysWithValues: settings.map { ($0.name, $0.json(self)) } + [("method", method)])
    }

    /// Writes ``values`` as `training_config.json` in `folder`.
    public func write(to folder: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The settings a run folder's `training_config.json` records, over `defaults` (the same
    /// method's).
    /// - Throws: ``TextFileError`` naming the file when it is missing, unreadable or another method's.
    public static func saved(in folder: URL, over defaults: TrainingSettings) throws -> TrainingSettings {
        var settings = defaults
        try settings.apply(contentsOf: folder.appendingPathComponent(fileName))
        return settings
    }

    /// Applies a settings file: a JSON object, or flat YAML (`.yaml`, `.yml`). Settings the file
    /// does not name keep their values.
    /// - Throws: ``TextFileError`` naming the file (and the line, in YAML) for an unreadable file,
    ///   a syntax error, an unknown setting or a value of the wrong type.
    public mutating func apply(contentsOf url: URL) throws {
        // Every value as the text a flag would give it, read by the same parsers.
        var entries: [String: (value: String?, line: Int?)]
        if ["yaml", "yml"].contains(url.pathExtension.lowercased()) {
            entries = try FlatYAML.read(url).mapValues { ($0.value, $0.line) }
        } else {
            entries = Dictionary(uniqueKeysWithValues: try JSONFile(url).root.map { name, value in
                (name, ((setting(named: name)?.text(ofJSON: value)) ?? Setting.text(ofJSON: value), nil))
            })
        }
        if let other = entries.removeValue(forKey: "method"), other.value != method {
            throw TextFileError(file: url, line: other.line, .invalidRecord("the settings of a \(other.value ?? "?") run, not of \(method)"))
        }
        for (name, entry) in entries.sorted(by: { ($0.value.line ?? 0, $0.key) < ($1.value.line ?? 0, $1.key) }) {
            guard let setting = setting(named: name) else {
                throw TextFileError(file: url, line: entry.line, .invalidRecord("unknown setting '\(name)' for \(method)\(suggestion(for: name))"))
            }
            guard let text = entry.value, setting.read(&self, text) else {
                throw TextFileError(file: url, line: entry.line, .wrongType(path: name, expected: "a \(setting.valueName.isEmpty ? "boolean" : setting.valueName)"))
            }
        }
    }

    /// Applies settings given as flags (`--lr 1e-4`, `--lr=1e-4`, `--skip-nonfinite`).
    /// - Throws: ``SettingsError`` for an unknown flag, a missing value or one that does not read.
    public mutating func apply(arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { throw SettingsError(description: "unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let setting = setting(named: name) else {
                throw SettingsError(description: "unknown option '--\(name)' for \(method)\(suggestion(for: name))")
            }
            if setting.valueName.isEmpty {
                value = value ?? "true"
            } else if value == nil {
                guard index < arguments.count else { throw SettingsError(description: "missing value for '--\(name) \(setting.valueName)'") }
                value = arguments[index]
                index += 1
            }
            guard setting.read(&self, value!) else { throw SettingsError(description: "--\(name): \(setting.refusal(of: value!))") }
        }
    }

    /// The settings that differ from `saved` beyond ``changeableOnResume``, each as
    /// `name: saved → new`, sorted by name: why resuming `saved`'s run with these would not
    /// continue it.
    public func conflicts(withSaved saved: TrainingSettings) -> [String] {
        settings.filter { !$0.changeableOnResume }.sorted { $0.name < $1.name }.compactMap { setting in
            let (a, b) = (setting.text(saved), setting.text(self))
            return a == b ? nil : "\(setting.name): \(a) → \(b)"
        }
    }

    /// A line per setting: the flag, its help, and this value as the default.
    public var help: String {
        settings.map { setting in
            let flag = "--\(setting.name)\(setting.valueName.isEmpty ? "" : " \(setting.valueName)")"
            let value = setting.text(self)
            let shown = setting.valueName.isEmpty ? (value == "true" ? " (on by default)" : "") : " (default: \(value))"
            return "  \(flag): \(setting.help)\(shown)"
        }.joined(separator: "\n")
    }

    private func setting(named name: String) -> Setting? { settings.first { $0.name == name } }

    private func suggestion(for name: String) -> String {
        EditDistance.suggestion(for: name, among: settings.map(\.name))
    }
}
