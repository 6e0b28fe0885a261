import Foundation
import Models
import NeuralNetworks
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
    /// The methods that have it.
    public let methods: Set<String>
    /// How the value reads in help (`<float>`; empty for a flag, a setting that is on when named).
    public let valueName: String
    /// Whether a resumed run may change it (how long it runs, how it is watched and saved).
    public let changeableOnResume: Bool
    /// Sets the value from its text (a flag's, or a file's value as text); `false` when it does not read.
    let read: @Sendable (inout TrainingSettings, String) -> Bool
    /// The value as text (`none` when unset) and as JSON (`null` when unset).
    let text: @Sendable (TrainingSettings) -> String
    let json: @Sendable (TrainingSettings) -> Any
    /// What is wrong with the value, if anything (`lr must be positive`).
    let problem: @Sendable (TrainingSettings) -> String?

    /// - Parameters:
    ///   - valueName: how the value reads in help, when not its type's name (`path`).
    ///   - must: what a valid value must be (`be positive`), as `valid` tells.
    public init<Value: SettingValue>(_ name: String, _ keyPath: WritableKeyPath<TrainingSettings, Value> & Sendable, _ help: String,
                                     for methods: Set<String> = TrainingSettings.allMethods, valueName: String? = nil,
                                     changeableOnResume: Bool = false, must: String = "", _ valid: @escaping @Sendable (Value) -> Bool = { _ in true }) {
        (self.name, self.help, self.methods, self.changeableOnResume) = (name, help, methods, changeableOnResume)
        self.valueName = Value.self == Bool.self ? "" : "<\(valueName ?? Value.valueName)>"
        read = { settings, text in Value(settingText: text).map { settings[keyPath: keyPath] = $0 } != nil }
        self.text = { $0[keyPath: keyPath].settingText }
        json = { $0[keyPath: keyPath].settingJSON }
        problem = { valid($0[keyPath: keyPath]) ? nil : "\(name) must \(must)" }
    }

    /// An optional setting whose value, when set, must pass `valid`.
    public init<Value: SettingValue>(_ name: String, _ keyPath: WritableKeyPath<TrainingSettings, Value?> & Sendable, _ help: String,
                                     for methods: Set<String> = TrainingSettings.allMethods, valueName: String? = nil,
                                     changeableOnResume: Bool = false, must: String, _ valid: @escaping @Sendable (Value) -> Bool) {
        self.init(name, keyPath, help, for: methods, valueName: valueName, changeableOnResume: changeableOnResume, must: must) { $0.map(valid) ?? true }
    }

    /// Why `text` is not a value of this setting: `'cosin' is not one of linear, constant, cosine
    /// (did you mean 'cosine'?)`, `'inf' is not a finite float`.
    func refusal(of text: String) -> String {
        if valueName.isEmpty { return "'\(text)' is not true or false" }
        if isList { return "'\(text)' is not a comma-separated list of \(valueName.dropFirst().dropLast(5))s" }
        let choices = valueName.dropFirst().dropLast().split(separator: "|").map(String.init)
        guard choices.count > 1 else { return "'\(text)' is not a finite \(valueName.dropFirst().dropLast())" }
        return "'\(text)' is not one of \(choices.joined(separator: ", "))\(EditDistance.suggestion(for: text, among: choices))"
    }

    /// Whether the setting holds a list (``SettingList``).
    var isList: Bool { valueName.hasSuffix(",...>") }

    /// A value of a JSON file as the text this setting's flag would take: an array of scalars as
    /// a list's comma-separated values; `nil` for other arrays and objects.
    func text(ofJSON value: Any) -> String? {
        guard let array = value as? [Any] else { return Self.text(ofJSON: value) }
        guard isList, !array.contains(where: { $0 is [Any] || $0 is [String: Any] || $0 is NSNull }) else { return nil }
        let items = array.compactMap(Self.text(ofJSON:))
        return items.count == array.count ? items.joined(separator: ",") : nil
    }

    /// A value of a JSON file as the text a flag would give it (`null` as `none`); `nil` for
    /// arrays and objects.
    static func text(ofJSON value: Any) -> String? {
        switch value {
        case is NSNull: return "none"
        case let text as String: return text
        case let number as NSNumber: return JSONFile.isBoolean(number) ? "\(number.boolValue)" : number.stringValue
        default: return nil
        }
    }
}

/// A type a ``Setting`` can hold: read from text, written back to `training_config.json` so that
/// reading it again gives the same value.
public protocol SettingValue: SendableMetatype {
    init?(settingText: String)
    var settingText: String { get }
    var settingJSON: Any { get }
    /// How a value is named in help (`int`, `float`).
    static var valueName: String { get }
}

extension SettingValue where Self: LosslessStringConvertible {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { description }
    public var settingJSON: Any { self }
}

extension Int: SettingValue {
    public static var valueName: String { "int" }
}

extension UInt64: SettingValue {
    public var settingJSON: Any { NSNumber(value: self) }
    public static var valueName: String { "int" }
}

extension Float: SettingValue {
    /// Finite only: JSON has no infinities.
    public init?(settingText: String) {
        guard let value = Float(settingText), value.isFinite else { return nil }
        self = value
    }
    /// The shortest decimal that reads back as this Float (3e-05, not 2.9999999242136255e-05).
    public var settingJSON: Any { Double(description)! }
    public static var valueName: String { "float" }
}

extension Double: SettingValue {
    public init?(settingText: String) {
        guard let value = Double(settingText), value.isFinite else { return nil }
        self = value
    }
    public static var valueName: String { "float" }
}

extension String: SettingValue {
    public static var valueName: String { "text" }
}

/// A flag: on when named (`--skip-nonfinite`), `true` or `false` in files and after `=`.
extension Bool: SettingValue {
    public static var valueName: String { "bool" }
}

/// An optional setting: `none` (or `null` in files) leaves it unset.
extension Optional: SettingValue where Wrapped: SettingValue {
    public init?(settingText: String) {
        guard settingText != "none" else { self = .none; return }
        guard let value = Wrapped(settingText: settingText) else { return nil }
        self = value
    }
    public var settingText: String { map(\.settingText) ?? "none" }
    public var settingJSON: Any { map(\.settingJSON) ?? NSNull() }
    public static var valueName: String { Wrapped.valueName }
}

/// A comma-separated list of values (`--matryoshka-dims 384,256,128`), a JSON array in files.
public struct SettingList<Element: SettingValue & Equatable & Sendable>: SettingValue, Equatable, Sendable {
    public var values: [Element]

    public init(_ values: [Element]) { self.values = values }

    public init?(settingText: String) {
        let items = settingText.split(separator: ",", omittingEmptySubsequences: false).map { Element(settingText: $0.trimmingCharacters(in: .whitespaces)) }
        guard !items.isEmpty, !items.contains(nil) else { return nil }
        values = items.map { $0! }
    }
    public var settingText: String { values.map(\.settingText).joined(separator: ",") }
    public var settingJSON: Any { values.map(\.settingJSON) }
    public static var valueName: String { "\(Element.valueName),..." }
}

/// A setting that is one of a few names.
public protocol SettingChoice: SettingValue, RawRepresentable, CaseIterable where RawValue == String {}

extension SettingChoice {
    public init?(settingText: String) { self.init(rawValue: settingText) }
    public var settingText: String { rawValue }
    public var settingJSON: Any { rawValue }
    public static var valueName: String { allCases.map(\.rawValue).joined(separator: "|") }
}

extension LearningRateDecay: SettingChoice {}
extension MatmulPrecision: SettingChoice {}
extension PoolingMode: SettingChoice {}
extension BertConfiguration.Preset: SettingChoice {}
extension STSFileFormat: SettingChoice {}
extension ResNetConfiguration.Preset: SettingChoice {}
