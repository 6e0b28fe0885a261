import FuzzSupport
import Text

// Loads the input as a Hugging Face `tokenizer.json`, as the pipeline of any family and as BERT's
// WordPiece, then tokenises the same bytes with each, so the loaded components (normalizers,
// patterns, models, added tokens, post-processors) are used, not only parsed.
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "tokenizer.json")
    let text = ScratchFile.text(data, size)
    if let pipeline = try? PipelineTokenizer(tokenizerJSONFile: file) {
        _ = pipeline.decode(pipeline.encode(pair: (text, text), maxLength: 1 << 20).ids)
        _ = pipeline.encodeBatch([text, ""], maxLength: 1 << 20, padding: .longest)
    }
    guard let tokenizer = try? WordPieceTokenizer(tokenizerJSONFile: file) else { return 0 }
    _ = tokenizer.decodeText(tokenizer.encode(text), skippingSpecialTokens: false)
    return 0
}
