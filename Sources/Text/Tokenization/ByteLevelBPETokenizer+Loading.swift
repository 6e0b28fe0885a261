import Foundation

extension ByteLevelBPETokenizer {
    /// Loads a tokenizer from a Hugging Face `tokenizer.json` of the RoBERTa kind: no
    /// normalizer, a `ByteLevel` pre-tokenizer, a `BPE` model, a `RobertaProcessing`
    /// post-processor, a `ByteLevel` decoder or none, and `added_tokens`, read as
    /// ``PipelineTokenizer/init(tokenizerJSONFile:configFile:)`` reads them. The padding token is
    /// the file's `padding.pad_id`, else `<pad>`.
    ///
    /// - Throws: ``TextFileError`` naming the file: as ``PipelineTokenizer``'s loader, or a
    ///   component of another kind (`unsupported: normalizer Precompiled (only none)`).
    public init(tokenizerJSONFile file: URL) throws(TextFileError) {
        let json = try JSONFile(file)
        try Self.checkComponent("normalizer", of: json, supported: [nil], named: "none")
        try Self.checkComponent("pre_tokenizer", of: json, supported: ["ByteLevel"], named: "ByteLevel")
        try Self.checkComponent("post_processor", of: json, supported: ["RobertaProcessing"], named: "RobertaProcessing")
        try Self.checkComponent("decoder", of: json, supported: [nil, "ByteLevel"], named: "ByteLevel")
        if let type = try json.value("model.type", as: String.self, expected: "a string"), type != "BPE" {
            throw TextFileError(file: file, .unsupported("model type \(type) (only BPE)"))
        }
        self.init(pipeline: try PipelineTokenizer(json: json, config: nil))
    }

    /// Throws unless the type of the component at `key` is in `supported` (`nil`: absent or null);
    /// `named` says what is supported in the message.
    private static func checkComponent(
        _ key: String, of json: JSONFile, supported: Set<String?>, named: String
    ) throws(TextFileError) {
        let type = try json.object(key)?.componentType()
        guard supported.contains(type) else {
            throw TextFileError(file: json.file, .unsupported("\(key) \(type ?? "none") (only \(named))"))
        }
    }
}
