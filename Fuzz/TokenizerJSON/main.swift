import FuzzSupport
import Text

// Loads the input as a Hugging Face `tokenizer.json`, then tokenises the same bytes with it, so
// the loaded prefix, unknown token and word-length limit are used, not only parsed.
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "tokenizer.json")
    guard let tokenizer = try? WordPieceTokenizer(tokenizerJSONFile: file) else { return 0 }
    _ = tokenizer.decodeText(tokenizer.encode(ScratchFile.text(data, size)), skippingSpecialTokens: false)
    return 0
}
