import Foundation
import Text

/// Typed field access to a model folder's JSON files (config.json, pooling configs), read by
/// `Text`'s ``JSONFile``, with errors that name the file and the key as ``ModelFileError``s.
enum JSONObjectFile {
    static func read(_ url: URL) throws(ModelFileError) -> [String: Any] {
        do { return try JSONFile(url).root } catch {
            switch error.problem {
            case .missingFile: throw ModelFileError(url, "is missing")
            case .invalidJSON: throw ModelFileError(url, "is not valid JSON")
            case .wrongType: throw ModelFileError(url, "is not a JSON object")
            default: throw ModelFileError(url, "cannot be read")
            }
        }
    }

    /// Typed access to the fields of one object.
    struct Fields {
        let object: [String: Any]
        let file: URL
        /// The path of this object in the file (`rope_parameters.`), put before its keys in errors.
        var path = ""

        /// The fields of the object under `key`, or `nil` when the key is absent or null.
        func nested(_ key: String) throws(ModelFileError) -> Fields? {
            guard let raw = object[key], !(raw is NSNull) else { return nil }
            guard let inner = raw as? [String: Any] else {
                throw ModelFileError(file, "field '\(path)\(key)' should be an object, found \(JSONObjectFile.describe(raw))")
            }
            return Fields(object: inner, file: file, path: "\(path)\(key).")
        }

        func optional<T: JSONFieldValue>(_ key: String) throws(ModelFileError) -> T? {
            guard let raw = object[key], !(raw is NSNull) else { return nil }
            guard let value = T(json: raw) else {
                throw ModelFileError(file, "field '\(path)\(key)' should be \(T.typeName), found \(JSONObjectFile.describe(raw))")
            }
            return value
        }

        func required<T: JSONFieldValue>(_ key: String) throws(ModelFileError) -> T {
            guard let value: T = try optional(key) else { throw ModelFileError(file, "field '\(path)\(key)' is missing") }
            return value
        }

        func positive(_ key: String) throws(ModelFileError) -> Int {
            let value: Int = try required(key)
            guard value > 0 else { throw ModelFileError(file, "field '\(path)\(key)' should be positive, found \(value)") }
            return value
        }

        /// A positive integer, `fallback` when absent.
        func positive(_ key: String, default fallback: Int) throws(ModelFileError) -> Int {
            guard try optional(key) as Int? != nil else { return fallback }
            return try positive(key)
        }

        func probability(_ key: String, default fallback: Float) throws(ModelFileError) -> Float {
            guard let value: Double = try optional(key) else { return fallback }
            // Checked after conversion: 0.99999999999 is below 1 as a Double but 1 as a Float.
            let single = Float(value)
            guard single >= 0 && single < 1 else { throw ModelFileError(file, "field '\(path)\(key)' should be in [0, 1), found \(value)") }
            return single
        }

        /// A positive number that stays finite and positive in single precision.
        func positiveFloat(_ key: String, default fallback: Float) throws(ModelFileError) -> Float {
            guard let value: Double = try optional(key) else { return fallback }
            let single = Float(value)
            guard single.isFinite && single > 0 else {
                throw ModelFileError(file, "field '\(path)\(key)' should be a positive single-precision number, found \(value)")
            }
            return single
        }

        /// An integer in `range`.
        func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int) throws(ModelFileError) -> Int {
            guard let value: Int = try optional(key) else { return fallback }
            guard range.contains(value) else {
                throw ModelFileError(file, "field '\(path)\(key)' should be within \(range.lowerBound)...\(range.upperBound), found \(value)")
            }
            return value
        }
    }

    static func describe(_ raw: Any) -> String {
        switch raw {
        case is String: "a string"
        case let n as NSNumber where JSONFile.isBoolean(n): "a boolean"
        case is NSNumber: "a number"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "another type"
        }
    }
}

/// Types a JSON field can be read as; JSON booleans are never taken for numbers or vice versa.
protocol JSONFieldValue {
    init?(json: Any)
    static var typeName: String { get }
}

extension Int: JSONFieldValue {
    init?(json: Any) {
        guard let n = json as? NSNumber, !JSONFile.isBoolean(n), let v = Int(exactly: n.doubleValue) else { return nil }
        self = v
    }
    static var typeName: String { "an integer" }
}

extension Double: JSONFieldValue {
    init?(json: Any) {
        guard let n = json as? NSNumber, !JSONFile.isBoolean(n) else { return nil }
        self = n.doubleValue
    }
    static var typeName: String { "a number" }
}

extension Bool: JSONFieldValue {
    init?(json: Any) {
        guard let n = json as? NSNumber, JSONFile.isBoolean(n) else { return nil }
        self = n.boolValue
    }
    static var typeName: String { "a boolean" }
}

extension Dictionary: JSONFieldValue where Key == String, Value == Any {
    init?(json: Any) {
        guard let object = json as? [String: Any] else { return nil }
        self = object
    }
    static var typeName: String { "an object" }
}

/// An array whose every element reads as `Element` (`layer_types`, `image_mean`).
extension Array: JSONFieldValue where Element: JSONFieldValue {
    init?(json: Any) {
        guard let items = json as? [Any] else { return nil }
        let values = items.compactMap { Element(json: $0) }
        guard values.count == items.count else { return nil }
        self = values
    }
    static var typeName: String { "an array (each \(Element.typeName))" }
}

extension String: JSONFieldValue {
    init?(json: Any) {
        guard let s = json as? String else { return nil }
        self = s
    }
    static var typeName: String { "a string" }
}
