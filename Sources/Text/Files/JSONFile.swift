import Foundation

/// Reads JSON configuration files, turning each problem into a ``TextFileError`` that names the
/// file and the dotted key path.
struct JSONFile {
    let file: URL
    let root: [String: Any]

    /// Parses `file`, whose top level must be an object.
    init(_ file: URL) throws(TextFileError) {
        let bytes = try TextFile.bytes(of: file)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            // Foundation's message spans lines on some platforms; keep the error one line.
            let reason = (error as NSError).localizedDescription.split(whereSeparator: \.isNewline).joined(separator: " ")
            throw TextFileError(file: file, .invalidJSON(reason))
        }
        guard let object = parsed as? [String: Any] else {
            throw TextFileError(file: file, .wrongType(path: "the top level", expected: "an object"))
        }
        self.file = file
        self.root = object
    }

    /// The value at the dotted `path` (`model.vocab`), `nil` when a key on the way is absent or
    /// JSON null; throws when it exists with another type.
    func value<T>(_ path: String, as type: T.Type, expected: String) throws(TextFileError) -> T? {
        var current: Any = root
        for key in path.split(separator: ".") {
            guard let object = current as? [String: Any] else {
                throw TextFileError(file: file, .wrongType(path: path, expected: "inside an object"))
            }
            guard let next = object[String(key)], !(next is NSNull) else { return nil }
            current = next
        }
        guard let typed = current as? T, Self.isBoolean(current) == (T.self == Bool.self) else {
            throw TextFileError(file: file, .wrongType(path: path, expected: expected))
        }
        return typed
    }

    /// The value at `path`, which must be present.
    func required<T>(_ path: String, as type: T.Type, expected: String) throws(TextFileError) -> T {
        guard let value = try value(path, as: type, expected: expected) else {
            throw TextFileError(file: file, .missingKey(path))
        }
        return value
    }

    /// Foundation bridges JSON booleans and numbers to the same NSNumber type; tell them apart so
    /// `true` is not read as the id 1, nor 0 as `false`.
    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return type(of: number) == type(of: NSNumber(value: true))
    }
}
