import Foundation

/// What a sentence encoder needs of its tokenizer, whichever family's: any Hugging Face
/// `tokenizer.json` (``PipelineTokenizer``), or BERT's WordPiece from a `vocab.txt`
/// (``WordPieceTokenizer``).
///
/// ```swift
/// let tokenizer = try TokenizerFolder.load(folder)          // the family's own format
/// let batch = tokenizer.encodeBatch(["A man plays."], maxLength: 128, padding: .longest)
/// ```
public protocol TextTokenizer: Sendable {
    var vocabularySize: Int { get }
    /// The ids that start a sequence (`[CLS]`, `<s>`), end a segment (`[SEP]`, `</s>`) and pad.
    var classificationID: Int { get }
    var separatorID: Int { get }
    var paddingID: Int { get }
    /// The ids of `text`'s pieces, without special tokens or truncation.
    func pieceIDs(_ text: String) -> [Int]
    /// The ids of `text` with the special tokens, truncated to `maxLength`.
    func encode(_ text: String, maxLength: Int) -> [Int]
    /// One padded batch of single texts, and of text pairs.
    func encodeBatch(_ texts: [String], maxLength: Int, padding: Padding) -> EncodedBatch
    func encodeBatch(pairs: [(String, String)], maxLength: Int, padding: Padding) -> EncodedBatch
    /// Writes the files that load this tokenizer back, here and in transformers, into `folder`,
    /// with `maxLength` as the model's `model_max_length`.
    func save(to folder: URL, maxLength: Int) throws
}

extension TextTokenizer {
    /// One batch padded to its longest text.
    public func encodeBatch(_ texts: [String], maxLength: Int) -> EncodedBatch { encodeBatch(texts, maxLength: maxLength, padding: .longest) }

    /// One batch of pairs padded to its longest pair.
    public func encodeBatch(pairs: [(String, String)], maxLength: Int) -> EncodedBatch {
        encodeBatch(pairs: pairs, maxLength: maxLength, padding: .longest)
    }
}

/// Reads the tokenizer of a model folder in its family's format.
public enum TokenizerFolder {
    /// The folder's `tokenizer.json` (with its `tokenizer_config.json`) as a
    /// ``PipelineTokenizer`` when there is one, otherwise WordPiece from its `vocab.txt`.
    /// - Throws: ``TextFileError`` naming the file, or the folder when it holds neither file.
    public static func load(_ directory: URL) throws(TextFileError) -> any TextTokenizer {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path) {
            return try PipelineTokenizer(directory: directory)
        }
        return try WordPieceTokenizer(directory: directory)
    }
}

extension WordPieceTokenizer: TextTokenizer {
    public var classificationID: Int { specialTokens.classification }
    public var separatorID: Int { specialTokens.separator }
    public var paddingID: Int { specialTokens.padding }

    /// `vocab.txt`, `tokenizer_config.json` (BERT's normalisation) and `special_tokens_map.json`.
    public func save(to folder: URL, maxLength: Int) throws {
        let vocabulary = decode(Array(0..<vocabularySize)).joined(separator: "\n") + "\n"
        try Data(vocabulary.utf8).write(to: folder.appendingPathComponent("vocab.txt"), options: .atomic)
        try TokenizerFolder.write(["do_lower_case": normalization.lowercase, "model_max_length": maxLength, "tokenizer_class": "BertTokenizer",
                                   "strip_accents": normalization.stripAccents as Any? ?? NSNull(),
                                   "tokenize_chinese_chars": normalization.handleChineseCharacters], "tokenizer_config.json", in: folder)
        try TokenizerFolder.write(["cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"],
                                  "special_tokens_map.json", in: folder)
    }
}

extension PipelineTokenizer: TextTokenizer {
    /// The post-processor's start token; without one its end token, and without either the padding
    /// token: ids that augmentations leave alone all the same.
    public var classificationID: Int { specialTokens.classification ?? separatorID }
    /// The post-processor's end token, else the padding token.
    public var separatorID: Int { specialTokens.separator ?? specialTokens.padding }
    public var paddingID: Int { specialTokens.padding }

    /// The `tokenizer.json` it was read from, unchanged, and its `tokenizer_config.json` (the
    /// tokenizer class and special tokens transformers reads) with `maxLength` as
    /// `model_max_length` and without the paths of the folder it came from; without a config, one
    /// naming transformers' generic fast tokenizer and the padding token.
    public func save(to folder: URL, maxLength: Int) throws {
        try save(to: folder, maxLength: maxLength, className: "PreTrainedTokenizerFast")
    }

    /// ``save(to:maxLength:)``, naming `className` (`CLIPTokenizer`, `RobertaTokenizer`) when there
    /// is no config to copy.
    public func save(to folder: URL, maxLength: Int, className: String) throws {
        guard let source else { throw TextFileError(file: folder, .unsupported("saving a tokenizer built without a tokenizer.json")) }
        try source.tokenizerJSON.write(to: folder.appendingPathComponent("tokenizer.json"), options: .atomic)
        var config: [String: Any] = ["tokenizer_class": className]
        config["pad_token"] = decode([specialTokens.padding]).first
        if let data = source.config, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] { config = object }
        config["model_max_length"] = maxLength
        config["name_or_path"] = nil
        config["tokenizer_file"] = nil
        try TokenizerFolder.write(config, "tokenizer_config.json", in: folder)
    }
}

extension ByteLevelBPETokenizer: TextTokenizer {
    public var classificationID: Int { specialTokens.classification }
    public var separatorID: Int { specialTokens.separator }
    public var paddingID: Int { specialTokens.padding }

    /// The `tokenizer.json` it was read from, unchanged, and a `tokenizer_config.json` naming
    /// RoBERTa's tokenizer class, the padding token and `maxLength`.
    public func save(to folder: URL, maxLength: Int) throws {
        try pipeline.save(to: folder, maxLength: maxLength, className: "RobertaTokenizer")
    }
}

extension TokenizerFolder {
    /// Writes `object` as pretty, sorted JSON named `name` in `folder`.
    static func write(_ object: Any, _ name: String, in folder: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: folder.appendingPathComponent(name), options: .atomic)
    }
}
