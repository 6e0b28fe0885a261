import Foundation

/// The one reader of JSON object files (tokenizers, model configs, run settings): each problem
/// becomes a ``TextFileError`` that names the file and the dotted key path.
public struct JSONFile {
    public let file: URL
    public let root: [String: Any]

    /// Parses `file`, whose top level must be an object.
    public init(_ file: URL) throws(TextFileError) {
        let bytes = try TextFile.bytes(of: file)
        self.file = file
        self.root = try Self.object(Data(bytes), file: file, line: nil, what: "the top level")
    }

    /// The JSON object in `data`; `what` names it in the error when it is another value.
    static func object(_ data: Data, file: URL, line: Int?, what: String) throws(TextFileError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            // Foundation's message spans lines on some platforms; keep the error one line.
            let reason = (error as NSError).localizedDescription.split(whereSeparator: \.isNewline).joined(separator: " ")
            throw TextFileError(file: file, line: line, .invalidJSON(reason))
        }
        guard let object = parsed as? [String: Any] else {
            throw TextFileError(file: file, line: line, .wrongType(path: what, expected: "an object"))
        }
        return object
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

    /// Whether a parsed value was a JSON `true`/`false`. Foundation bridges JSON booleans and
    /// numbers to NSNumber alike (on Linux `1 is Bool` holds), so the type encoding decides: the
    /// parser boxes booleans as `c` (char) and numbers as `q` or `d`.
    public static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// The object at the dotted `path`, `nil` when absent or null.
    func object(_ path: String) throws(TextFileError) -> Object? {
        try value(path, as: [String: Any].self, expected: "an object or null").map { Object(fields: $0, path: path, file: file) }
    }

    /// The top level as an ``Object``.
    var topLevel: Object { Object(fields: root, path: "", file: file) }

    /// An object nested in the file (a tokenizer component inside a list, say), read with the
    /// file's checks; its `path` (`normalizer.normalizers[1]`, empty for the top level) prefixes
    /// the keys named in errors.
    struct Object {
        let fields: [String: Any]
        let path: String
        let file: URL

        /// The path of `key` in this object.
        func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        /// The value of `key`, `nil` when absent or null; throws when it has another type.
        func value<T>(_ key: String, as type: T.Type, expected: String) throws(TextFileError) -> T? {
            guard let value = fields[key], !(value is NSNull) else { return nil }
            guard let typed = value as? T, JSONFile.isBoolean(value) == (T.self == Bool.self) else {
                throw TextFileError(file: file, .wrongType(path: path(of: key), expected: expected))
            }
            return typed
        }

        /// The value of `key`, which must be present.
        func required<T>(_ key: String, as type: T.Type, expected: String) throws(TextFileError) -> T {
            guard let value = try value(key, as: type, expected: expected) else {
                throw TextFileError(file: file, .missingKey(path(of: key)))
            }
            return value
        }

        /// The object at `key`, `nil` when absent or null.
        func object(_ key: String) throws(TextFileError) -> Object? {
            try value(key, as: [String: Any].self, expected: "an object").map { Object(fields: $0, path: path(of: key), file: file) }
        }

        /// The array of objects at `key`, which must be present.
        func objects(_ key: String) throws(TextFileError) -> [Object] {
            let list = try required(key, as: [Any].self, expected: "an array of objects")
            var objects: [Object] = []
            for (index, element) in list.enumerated() {
                guard let fields = element as? [String: Any] else {
                    throw TextFileError(file: file, .wrongType(path: "\(path(of: key))[\(index)]", expected: "an object"))
                }
                objects.append(Object(fields: fields, path: "\(path(of: key))[\(index)]", file: file))
            }
            return objects
        }

        /// `problem` as an error of this object's file.
        func error(_ problem: TextFileError.Problem) -> TextFileError { TextFileError(file: file, problem) }
    }
}

/// JSON Lines files: one JSON object per line.
public enum JSONLines {
    /// The object on line `line` of `file`, whose text is `text`.
    ///
    /// - Throws: ``TextFileError`` at that line: not JSON, or a JSON value other than an object.
    public static func object(_ text: String, file: URL, line: Int) throws(TextFileError) -> [String: Any] {
        try JSONFile.object(Data(text.utf8), file: file, line: line, what: "the line")
    }

    /// The string at `key` of `object` (a line of `file`); `nil` when the key is absent.
    ///
    /// - Throws: ``TextFileError`` at that line when the value is not a string.
    public static func string(_ key: String, in object: [String: Any], file: URL, line: Int) throws(TextFileError) -> String? {
        guard let value = object[key] else { return nil }
        guard let string = value as? String else {
            throw TextFileError(file: file, line: line, .wrongType(path: key, expected: "a string"))
        }
        return string
    }

    /// The array of strings at `key` of `object` (a line of `file`); `nil` when the key is absent.
    ///
    /// - Throws: ``TextFileError`` at that line when the value is not an array of strings.
    public static func strings(_ key: String, in object: [String: Any], file: URL, line: Int) throws(TextFileError) -> [String]? {
        guard let value = object[key] else { return nil }
        guard let array = value as? [Any] else {
            throw TextFileError(file: file, line: line, .wrongType(path: key, expected: "an array of strings"))
        }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element as? String else {
                throw TextFileError(file: file, line: line, .wrongType(path: "\(key)[\(index)]", expected: "a string"))
            }
            strings.append(string)
        }
        return strings
    }
}
