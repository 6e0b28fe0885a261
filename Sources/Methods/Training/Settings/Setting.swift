import Foundation
import Models
import Tensors

/// One setting of a training run: its name, which is the long flag (`--lr`) and the key in
/// `--config` files and `training_config.json`, its help, and where it lives in the settings type.
///
/// ```swift
/// Setting("lr", \TrainingConfiguration.learningRate, "Peak learning rate.")
/// ```
public struct Setting<Settings> {
    public let name: String
    public let help: String
    /// How the value reads in help (`<float>`; empty for a flag, a setting that is on when named).
    public let valueName: String
    /// Whether a resumed run may change it (how long it runs, how it is watched and saved).
    public let changeableOnResume: Bool
    let parse: (inout Settings, String) -> Bool
    let decode: (inout Settings, Any) -> Bool
    let encode: (Settings) -> Any
    let describe: (Settings) -> String

    /// - Parameter valueName: how the value reads in help, when not its type's name (`path`).
    public init<Value: SettingValue>(_ name: String, _ keyPath: WritableKeyPath<Settings, Value>, _ help: String, valueName: String? = nil,
                                     changeableOnResume: Bool = false) {
        self.name = name
        self.help = help
        self.changeableOnResume = changeableOnResume
        self.valueName = Value.isFlag ? "" : "<\(valueName ?? Value.valueName)>"
        parse = { settings, text in
            guard let value = Value(settingText: text) else { return false }
            settings[keyPath: keyPath] = value
            return true
        }
        decode = { settings, json in
            guard let value = Value(settingJSON: json) else { return false }
            settings[keyPath: keyPath] = value
            return true
        }
        encode = { $0[keyPath: keyPath].settingJSON }
        describe = { $0[keyPath: keyPath].settingText }
    }
}

/// A type a ``Setting`` can hold: read from a flag's text or a settings file's value, written
/// back to `training_config.json` so that reading it again gives the same value.
public protocol SettingValue {
    init?(settingText: String)
    init?(settingJSON: Any)
    var settingJSON: Any { get }
    var settingText: String { get }
    /// How a value is named in help (`int`, `float`, `path`).
    static var valueName: String { get }
    /// Whether naming the flag alone sets it (booleans).
    static var isFlag: Bool { get }
}

extension SettingValue {
    public static var isFlag: Bool { false }
    public var settingText: String { "\(settingJSON)" }
}

extension Int: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public init?(settingJSON: Any) {
        guard let number = settingJSON as? NSNumber, !isBoolean(settingJSON), let value = Int(exactly: number.doubleValue) else { return nil }
        self = value
    }
    public var settingJSON: Any { self }
    public static var valueName: String { "int" }
}

extension UInt64: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public init?(settingJSON: Any) {
        guard let number = settingJSON as? NSNumber, !isBoolean(settingJSON), number.doubleValue >= 0, number.doubleValue.rounded() == number.doubleValue else { return nil }
        self = number.uint64Value
    }
    public var settingJSON: Any { NSNumber(value: self) }
    public static var valueName: String { "int" }
}

extension Float: SettingValue {
    public init?(settingText: String) {
        guard let value = Float(settingText), value.isFinite else { return nil }
        self = value
    }
    public init?(settingJSON: Any) {
        guard let number = settingJSON as? NSNumber, !isBoolean(settingJSON), number.doubleValue.isFinite else { return nil }
        // Through the shortest decimal text, as written: 3e-05 reads back as the Float 3e-05.
        self = Float(number.doubleValue)
    }
    /// The shortest decimal that reads back as this Float (3e-05, not 2.9999999242136255e-05).
    public var settingJSON: Any { Double("\(self)")! }
    public var settingText: String { "\(self)" }
    public static var valueName: String { "float" }
}

extension Double: SettingValue {
    public init?(settingText: String) {
        guard let value = Double(settingText), value.isFinite else { return nil }
        self = value
    }
    public init?(settingJSON: Any) {
        guard let number = settingJSON as? NSNumber, !isBoolean(settingJSON), number.doubleValue.isFinite else { return nil }
        self = number.doubleValue
    }
    public var settingJSON: Any { self }
    public static var valueName: String { "float" }
}

extension String: SettingValue {
    public init?(settingText: String) { self = settingText }
    public init?(settingJSON: Any) {
        guard let text = settingJSON as? String else { return nil }
        self = text
    }
    public var settingJSON: Any { self }
    public var settingText: String { self }
    public static var valueName: String { "text" }
}

extension Bool: SettingValue {
    public init?(settingText: String) {
        switch settingText {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public init?(settingJSON: Any) {
        guard isBoolean(settingJSON), let value = settingJSON as? Bool else { return nil }
        self = value
    }
    public var settingJSON: Any { self }
    public static var valueName: String { "bool" }
    public static var isFlag: Bool { true }
}

/// An optional setting: `none` on the command line and `null` in files leave it unset.
extension Optional: SettingValue where Wrapped: SettingValue {
    public init?(settingText: String) {
        if settingText == "none" { self = .none; return }
        guard let value = Wrapped(settingText: settingText) else { return nil }
        self = value
    }
    public init?(settingJSON: Any) {
        if settingJSON is NSNull { self = .none; return }
        guard let value = Wrapped(settingJSON: settingJSON) else { return nil }
        self = value
    }
    public var settingJSON: Any { map(\.settingJSON) ?? NSNull() }
    public var settingText: String { map(\.settingText) ?? "none" }
    public static var valueName: String { Wrapped.valueName }
}

/// A setting that is one of a few names.
public protocol SettingChoice: SettingValue, RawRepresentable, CaseIterable where RawValue == String {}

extension SettingChoice {
    public init?(settingText: String) { self.init(rawValue: settingText) }
    public init?(settingJSON: Any) {
        guard let text = settingJSON as? String else { return nil }
        self.init(rawValue: text)
    }
    public var settingJSON: Any { rawValue }
    public var settingText: String { rawValue }
    public static var valueName: String { allCases.map(\.rawValue).joined(separator: "|") }
}

extension LearningRateDecay: SettingChoice {}
extension MatmulPrecision: SettingChoice {}
extension PoolingMode: SettingChoice {}

/// Whether a decoded JSON or YAML value is a boolean (on Linux `1 is Bool` holds for numbers too).
private func isBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}
