import Foundation

extension TrainingConfiguration {
    /// The resolved settings' file in a run folder (`config.json` there is the trained model's).
    public static let fileName = "training_config.json"

    /// Settings read from a file override these: a JSON object, or YAML (`.yaml`, `.yml`) of flat
    /// `key: value` lines, named as in the `training_config.json` a run writes (so a finished run's settings
    /// reproduces it). Settings the file does not name keep their values.
    ///
    /// ```yaml
    /// # run.yaml
    /// method: simcse
    /// learningRate: 3.0e-5
    /// batchSize: 64
    /// ```
    ///
    /// - Throws: ``TrainingError/invalidSetup(_:)`` naming the file for an unreadable file, a
    ///   syntax error (with its line), an unknown key or a value of the wrong type.
    public mutating func apply(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TrainingError.invalidSetup("\(url.path): cannot be read") }
        let overrides: [String: Any]
        if ["yaml", "yml"].contains(url.pathExtension.lowercased()) {
            guard let text = String(data: data, encoding: .utf8) else { throw TrainingError.invalidSetup("\(url.path): is not UTF-8 text") }
            do { overrides = try FlatYAML.parse(text) } catch let error as FlatYAML.SyntaxError {
                throw TrainingError.invalidSetup("\(url.path): \(error.description)")
            }
        } else {
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw TrainingError.invalidSetup("\(url.path): is not a JSON object")
            }
            overrides = object
        }
        var merged = try settings()
        let known = Set(merged.keys)
        if let unknown = overrides.keys.sorted().first(where: { !known.contains($0) }) {
            throw TrainingError.invalidSetup("\(url.path): unknown setting '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        merged.merge(overrides) { _, new in new }
        // Unset optional settings decode as absent.
        merged = merged.filter { !($0.value is NSNull) }
        do {
            self = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            throw TrainingError.invalidSetup("\(url.path): setting '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type or value")
        } catch {
            throw TrainingError.invalidSetup("\(url.path): \(error)")
        }
    }
}

/// The YAML a flat settings file needs: one `key: value` per line, `#` comments, `---` at the
/// top, and scalars typed as YAML 1.2's core schema does (null, booleans, integers, floats,
/// quoted or plain strings). Nesting, lists and multi-line values are refused, not misread.
enum FlatYAML {
    struct SyntaxError: Error, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    static func parse(_ text: String) throws -> [String: Any] {
        var result: [String: Any] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = try stripComment(String(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine), line: number)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || (index == 0 || result.isEmpty) && line == "---" { continue }
            if line.first == " " || line.first == "\t" {
                throw SyntaxError(line: number, message: "nested values are not supported (settings are flat key: value lines)")
            }
            guard let colon = line.firstIndex(of: ":"), line[line.index(after: colon)...].first.map({ $0 == " " }) ?? true else {
                throw SyntaxError(line: number, message: "expected 'key: value'")
            }
            let key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw SyntaxError(line: number, message: "invalid key '\(key)'")
            }
            guard result[key] == nil else { throw SyntaxError(line: number, message: "duplicate key '\(key)'") }
            result[key] = try scalar(String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces), line: number)
        }
        return result
    }

    /// The line without a `#` comment outside quotes.
    private static func stripComment(_ line: String, line number: Int) throws -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && (previous == " " || previous == "\t" || offset == 0) {
                return String(line.prefix(offset)).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            }
            previous = c
        }
        if quote != nil { throw SyntaxError(line: number, message: "unterminated quoted string") }
        return line
    }

    private static func scalar(_ value: String, line: Int) throws -> Any {
        if value.isEmpty { throw SyntaxError(line: line, message: "missing value (nested values are not supported)") }
        if let first = value.first, first == "\"" || first == "'" {
            guard value.count >= 2, value.last == first else { throw SyntaxError(line: line, message: "text after a quoted string") }
            let inner = String(value.dropFirst().dropLast())
            return first == "'" ? inner.replacingOccurrences(of: "''", with: "'")
                                : inner.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        if ["[", "{", "|", ">", "&", "*", "!", "-"].contains(where: { value.hasPrefix($0) }) && Double(value) == nil {
            throw SyntaxError(line: line, message: "lists, mappings, block scalars, anchors and tags are not supported")
        }
        switch value {
        case "null", "Null", "NULL", "~": return NSNull()
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: break
        }
        if let integer = Int(value) { return integer }
        if value.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil, let double = Double(value) {
            return double
        }
        return value
    }
}

/// The settings of a run, as its folder's `training_config.json` records them: every trainer's
/// configuration type conforms, so that `--resume` can refuse settings that change the run.
public protocol RunSettings: Codable {
    /// Settings a resumed run may change: how long it runs and how it is watched and saved, not
    /// what each step computes.
    static var changeableOnResume: Set<String> { get }
}

extension RunSettings {
    /// Every setting by name, unset optional ones as `NSNull`: what `training_config.json` holds,
    /// so that a disabled setting (e.g. `maxGradientNorm: null`, no clipping) replays as disabled.
    public func settings() throws -> [String: Any] {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as! [String: Any]
        for case let name? in Mirror(reflecting: self).children.map(\.label) where object[name] == nil { object[name] = NSNull() }
        return object
    }

    /// Writes ``settings()`` as `training_config.json` in `folder`.
    public func write(to folder: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: settings(), options: [.prettyPrinted, .sortedKeys])
        try data.write(to: folder.appendingPathComponent(TrainingConfiguration.fileName), options: .atomic)
    }

    /// The settings of a run folder's `training_config.json`.
    /// - Throws: ``TrainingError/invalidSetup(_:)`` naming the file when it is missing or unreadable.
    public static func saved(in folder: URL) throws -> Self {
        let file = folder.appendingPathComponent(TrainingConfiguration.fileName)
        guard let data = try? Data(contentsOf: file) else { throw TrainingError.invalidSetup("\(file.path): cannot be read") }
        do { return try JSONDecoder().decode(Self.self, from: data) } catch {
            throw TrainingError.invalidSetup("\(file.path): not the settings of this kind of run")
        }
    }

    /// The settings that differ from `saved` beyond ``changeableOnResume``, each as
    /// `name: saved → new`, sorted by name: why resuming `saved`'s run with these would not
    /// continue it.
    public func conflicts(withSaved saved: Self) throws -> [String] {
        let mine = try settings(), theirs = try saved.settings()
        return Set(mine.keys).union(theirs.keys).subtracting(Self.changeableOnResume).sorted().compactMap { name in
            let (a, b) = (theirs[name] as? NSObject, mine[name] as? NSObject)
            guard a != b else { return nil }
            func text(_ x: NSObject?) -> String { x is NSNull || x == nil ? "none" : "\(x!)" }
            return "\(name): \(text(a)) → \(text(b))"
        }
    }
}

extension TrainingConfiguration: RunSettings {
    public static let changeableOnResume: Set<String> = ["epochs", "maxSteps", "evaluateEvery", "checkpointEvery", "checkpointMinutes", "stopOnNonFinite"]
}
