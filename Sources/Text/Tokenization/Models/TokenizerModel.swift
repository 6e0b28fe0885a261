/// The third stage of a ``PipelineTokenizer``: turns each pre-tokenized piece into token ids, as a
/// `tokenizers` model (`WordPiece`, `BPE`, `Unigram`) does.
protocol TokenizerModel: Sendable {
    /// Appends the ids of one piece.
    func appendIDs(of piece: [Unicode.Scalar], to ids: inout [Int])
    /// The id of `token` (its exact spelling) in the vocabulary.
    func id(of token: String) -> Int?
    /// The spelling of `id`, if it is in the vocabulary.
    func token(of id: Int) -> String?
    /// One more than the largest id.
    var vocabularySize: Int { get }
    /// The id that stands for what the vocabulary cannot spell, if the model has one.
    var unknownID: Int? { get }
}

extension TokenizerModel {
    /// The ids of `<0x00>`...`<0xFF>` tokens spelling the UTF-8 bytes of `text` (sentencepiece's
    /// byte fallback), or `nil` unless every one is in the vocabulary.
    func byteFallbackIDs(_ text: String) -> [Int]? {
        var ids: [Int] = []
        for byte in text.utf8 {
            let hex = String(byte, radix: 16, uppercase: true)
            guard let id = id(of: "<0x\(hex.count == 1 ? "0" + hex : hex)>") else { return nil }
            ids.append(id)
        }
        return ids
    }
}
