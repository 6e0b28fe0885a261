import Foundation
import Models
import Tensors
import Text

/// One setting of a training run: its name, which is the long flag (`--lr`) and the key in
/// `--config` files and `training_config.json`, its help, and the field of ``TrainingSettings`` it sets.
///
/// ```swift
/// Setting("lr", \.learningRate, "Peak learning rate.")
/// ```
public struct Setting: Sendable {
    public let name: String
    public let help: String
    /// How the value reads in help (`<float>`; empty for a flag, a setting that is on when named).
    public let valueName: String
    /// Whether a resumed run may change it (how long it runs, how it is watched and saved).
    public let changeableOnResume: Bool
    let parse: @Sendable (inout TrainingSettings, String) -> Bool
    let decode: @Sendable (inout TrainingSettings, Any) -> Bool
    let encode: @Sendable (TrainingSettings) -> Any
    let describe: @Sendable (TrainingSettings) -> String

    /// - Parameter valueName: how the value reads in help, when not its type's name (`path`).
    public init<Value: SettingValue>(_ name: String, _ keyPath: WritableKeyPath<TrainingSettings, Value> & Sendable, _ help: String,
                                     valueName: String? = nil, changeableOnResume: Bool = false) {
        (self.name, self.help, self.changeableOnResume) = (name, help, changeableOnResume)
        self.valueName = Value.self == Bool.self ? "" : "<\(valueName ?? Value.valueName)>"
        parse = { settings, text in Value(settingText: text).map { settings[keyPath: keyPath] = $0 } != nil }
        decode = { settings, json in Value(settingJSON: json).map { settings[keyPath: keyPath] = $0 } != nil }
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
    /// How a value is named in help (`int`, `float`).
    static var valueName: String { get }
}

extension SettingValue where Self: LosslessStringConvertible {
    public var settingText: String { description }
}

/// Numbers read as text and written as JSON numbers; non-finite ones are refused (JSON has none).
protocol NumericSetting: SettingValue, LosslessStringConvertible {
    init?(exactly number: NSNumber)
    var number: NSNumber { get }
}

extension NumericSetting {
    public init?(settingText: String) {
        guard let value = Self(settingText), Self(exactly: value.number) != nil, value.number.doubleValue.isFinite else { return nil }
        self = value
    }
    public init?(settingJSON: Any) {
        guard !JSONFile.isBoolean(settingJSON), let number = settingJSON as? NSNumber, number.doubleValue.isFinite, let value = Self(exactly: number) else { return nil }
        self = value
    }
    public var settingJSON: Any { number }
}

extension Int: NumericSetting {
    init?(exactly number: NSNumber) { self.init(exactly: number.doubleValue) }
    var number: NSNumber { NSNumber(value: self) }
    public static var valueName: String { "int" }
}

extension UInt64: NumericSetting {
    init?(exactly number: NSNumber) { self.init(exactly: number.doubleValue) }
    var number: NSNumber { NSNumber(value: self) }
    public static var valueName: String { "int" }
}

extension Float: NumericSetting {
    init?(exactly number: NSNumber) { self.init(number.doubleValue) }
    /// The shortest decimal that reads back as this Float (3e-05, not 2.9999999242136255e-05).
    var number: NSNumber { NSNumber(value: Double(description)!) }
    public static var valueName: String { "float" }
}

extension Double: NumericSetting {
    init?(exactly number: NSNumber) { self.init(number.doubleValue) }
    var number: NSNumber { NSNumber(value: self) }
    public static var valueName: String { "float" }
}

extension String: SettingValue {
    public init?(settingText: String) { self = settingText }
    public init?(settingJSON: Any) {
        guard let text = settingJSON as? String else { return nil }
        self = text
    }
    public var settingJSON: Any { self }
    public static var valueName: String { "text" }
}

/// A flag: on when named (`--skip-nonfinite`), `true` or `false` in files.
extension Bool: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public init?(settingJSON: Any) {
        guard JSONFile.isBoolean(settingJSON), let value = settingJSON as? Bool else { return nil }
        self = value
    }
    public var settingJSON: Any { self }
    public static var valueName: String { "bool" }
}

/// An optional setting: `none` on the command line and `null` in files leave it unset.
extension Optional: SettingValue where Wrapped: SettingValue {
    public init?(settingText: String) {
        guard settingText != "none" else { self = .none; return }
        guard let value = Wrapped(settingText: settingText) else { return nil }
        self = value
    }
    public init?(settingJSON: Any) {
        guard !(settingJSON is NSNull) else { self = .none; return }
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
extension BertConfiguration.Preset: SettingChoice {}
extension STSFileFormat: SettingChoice {}
extension ResNetConfiguration.Preset: SettingChoice {}
