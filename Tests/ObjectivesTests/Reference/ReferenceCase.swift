import Foundation
import Tensors
import TestSupport

/// A malformed reference file: data errors, thrown (not preconditions).
enum ReferenceError: Error, CustomStringConvertible {
    case malformed(String)
    case unknownKind(String, caseIndex: Int)

    var description: String {
        switch self {
        case .malformed(let what): "malformed reference file: \(what)"
        case .unknownKind(let kind, let index): "case \(index): unknown kind \"\(kind)\" (no objective implements it)"
        }
    }
}

/// A nested JSON list of numbers as a shape and row-major values.
struct ReferenceArray {
    let shape: [Int]
    let values: [Float]

    init(json: Any, name: String) throws {
        if let number = json as? NSNumber {
            shape = []
            values = [number.floatValue]
            return
        }
        guard let list = json as? [Any] else { throw ReferenceError.malformed("\(name) is neither a number nor a list") }
        let items = try list.enumerated().map { try ReferenceArray(json: $0.element, name: "\(name)[\($0.offset)]") }
        let inner = items.first?.shape ?? []
        guard items.allSatisfy({ $0.shape == inner }) else { throw ReferenceError.malformed("\(name) is not rectangular") }
        shape = [items.count] + inner
        values = items.flatMap(\.values)
    }

    var tensor: Tensor { Tensor(values, shape: shape) }
}

/// One case of `losses.json`: an objective's `kind`, its `params`, its `inputs`, and the expected
/// `loss` and `grads` (by input name).
struct ReferenceCase {
    let index: Int
    let kind: String
    let params: [String: Any]
    let inputs: [String: ReferenceArray]
    let loss: Double
    let grads: [String: ReferenceArray]

    init(json: Any, index: Int) throws {
        guard let object = json as? [String: Any] else { throw ReferenceError.malformed("case \(index) is not an object") }
        guard let kind = object["kind"] as? String else { throw ReferenceError.malformed("case \(index) has no kind") }
        guard let params = object["params"] as? [String: Any] else { throw ReferenceError.malformed("case \(index) has no params") }
        guard let inputs = object["inputs"] as? [String: Any] else { throw ReferenceError.malformed("case \(index) has no inputs") }
        guard let loss = (object["loss"] as? NSNumber)?.doubleValue else { throw ReferenceError.malformed("case \(index) has no numeric loss") }
        guard let grads = object["grads"] as? [String: Any] else { throw ReferenceError.malformed("case \(index) has no grads") }
        self.index = index
        self.kind = kind
        self.params = params
        self.inputs = try inputs.mapValues { try ReferenceArray(json: $0, name: "case \(index) input") }
        self.loss = loss
        self.grads = try grads.mapValues { try ReferenceArray(json: $0, name: "case \(index) grad") }
        for name in self.grads.keys where self.inputs[name] == nil {
            throw ReferenceError.malformed("case \(index) has a gradient for \(name), which is not an input")
        }
    }

    func float(_ key: String) throws -> Float {
        guard let value = params[key] as? NSNumber else { throw ReferenceError.malformed("case \(index) (\(kind)): param \(key) is missing") }
        return value.floatValue
    }

    func ints(_ key: String) throws -> [Int] {
        guard let values = params[key] as? [NSNumber] else { throw ReferenceError.malformed("case \(index) (\(kind)): param \(key) is missing") }
        return values.map(\.intValue)
    }

    func paramTensor(_ key: String) throws -> Tensor {
        guard let json = params[key] else { throw ReferenceError.malformed("case \(index) (\(kind)): param \(key) is missing") }
        return try ReferenceArray(json: json, name: "case \(index) param \(key)").tensor
    }
}

/// The cases of a reference file.
struct ReferenceFile {
    let cases: [ReferenceCase]

    init(url: URL) throws {
        try self.init(data: Data(contentsOf: url))
    }

    init(data: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [Any] else { throw ReferenceError.malformed("no cases list") }
        self.cases = try cases.enumerated().map { try ReferenceCase(json: $0.element, index: $0.offset) }
    }

    /// `CONTRASTIVE_LOSS_REFERENCE` when set (other case files in the same format run through it),
    /// else the repository's `Tests/Fixtures/reference/losses.json`; throws when that fixture is missing.
    static func defaultURL() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CONTRASTIVE_LOSS_REFERENCE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return try TestPaths.fixture("reference/losses.json")
    }
}
