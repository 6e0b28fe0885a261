import Tensors

/// Reading and writing per-parameter optimizer buffers ("slots" such as AdamW's `exp_avg`) as
/// named tensors `<parameter name>.<slot>`, with the checks every optimizer needs.
enum OptimizerSlots {
    /// Splits `stateDict` into each parameter's slots, checking that every key names a parameter
    /// of `groups` and one of `slots`, that a parameter has all its slots or none, and that shapes
    /// match (`scalarSlots` are `[]`, others the parameter's shape). Returns copies.
    static func decode(_ stateDict: [String: Tensor], groups: [ParameterGroup], slots: [String],
                       scalarSlots: Set<String> = []) throws -> [String: [String: Tensor]] {
        let parameters = Dictionary(groups.flatMap(\.parameters).map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var decoded: [String: [String: Tensor]] = [:]
        var unexpected: [String] = [], mismatches: [StateDictError.ShapeMismatch] = []
        for (key, value) in stateDict {
            guard let dot = key.lastIndex(of: "."), case let slot = String(key[key.index(after: dot)...]),
                  slots.contains(slot), let parameter = parameters[String(key[..<dot])] else {
                unexpected.append(key)
                continue
            }
            let expected = scalarSlots.contains(slot) ? [] : parameter.shape
            if value.shape != expected {
                mismatches.append(.init(key: key, expected: expected, found: value.shape))
            }
            decoded[String(key[..<dot]), default: [:]][slot] = value.copy()
        }
        let missing = decoded.flatMap { name, present in slots.filter { present[$0] == nil }.map { "\(name).\($0)" } }
        let problems = StateDictError(missingKeys: missing, unexpectedKeys: unexpected, shapeMismatches: mismatches)
        if !problems.isEmpty { throw problems }
        return decoded
    }

    /// `<parameter name>.<slot>` for every slot of every parameter that has state.
    static func encode(_ state: [String: [String: Tensor]]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, slots) in state {
            for (slot, tensor) in slots { result["\(name).\(slot)"] = tensor.copy() }
        }
        return result
    }
}
