import Tensors

/// Saving and loading a module's parameters and buffers as named tensors (Hugging Face / PyTorch
/// state dicts).
extension Module {
    /// The parameters and then the buffers, by dotted name: everything a state dict holds.
    public func namedState() -> [(name: String, tensor: Tensor)] { namedParameters() + namedBuffers() }

    /// The parameters and buffers by dotted name. The tensors share storage with the module's (as
    /// PyTorch's `state_dict()`), without gradient history; copy them to keep a snapshot across updates.
    ///
    /// ```swift
    /// try SafeTensors.write(model.stateDict(), to: "model.safetensors")
    /// ```
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedState().map { ($0.name, $0.tensor.detached()) }, uniquingKeysWith: { first, _ in first })
    }

    /// Copies the values of `stateDict` into the parameters and buffers of the same name, in place
    /// (optimizers keep their references). Nothing is written unless every check passes.
    ///
    /// - Parameters:
    ///   - strict: when `true`, missing and unexpected keys are errors; when `false` they are only
    ///     reported in the returned value. Shape mismatches are always errors (as in PyTorch).
    ///   - ignoring: keys to leave out of both checks (buffers such as `embeddings.position_ids`
    ///     that checkpoints carry but this model does not). An entry matches a key equal to it or
    ///     ending in `.` + entry, so `embeddings.position_ids` also covers `bert.embeddings.position_ids`.
    /// - Returns: the missing and unexpected keys that were tolerated (empty when strict).
    /// - Throws: `StateDictError` listing every missing key, unexpected key and shape mismatch.
    ///
    /// ```swift
    /// let file = try SafeTensorsFile(path: "models/all-MiniLM-L6-v2/model.safetensors")
    /// try model.load(stateDict: file.allTensors(), ignoring: ["embeddings.position_ids"])
    /// ```
    @discardableResult
    public func load(stateDict: [String: Tensor], strict: Bool = true, ignoring: [String] = []) throws -> StateDictError {
        let isIgnored = { (key: String) in ignoring.contains { key == $0 || key.hasSuffix("." + $0) } }
        let entries = namedState()
        let names = Set(entries.map(\.name))
        let missing = entries.map(\.name).filter { stateDict[$0] == nil && !isIgnored($0) }
        let unexpected = stateDict.keys.filter { !names.contains($0) && !isIgnored($0) }
        let mismatches = entries.compactMap { name, tensor -> StateDictError.ShapeMismatch? in
            guard let value = stateDict[name], value.shape != tensor.shape else { return nil }
            return .init(key: name, expected: tensor.shape, found: value.shape)
        }
        let problems = StateDictError(missingKeys: missing, unexpectedKeys: unexpected, shapeMismatches: mismatches)
        if !mismatches.isEmpty || (strict && !problems.isEmpty) { throw problems }
        for (name, tensor) in entries {
            if let value = stateDict[name] { tensor.assign(value) }
        }
        return problems
    }
}
