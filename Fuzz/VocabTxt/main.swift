import FuzzSupport
import Text

// Loads the input as a `vocab.txt` (no `tokenizer_config.json` beside it, so casing is guessed
// from the vocabulary), then tokenises the same bytes with it: odd vocabularies (empty lines,
// `##` alone, repeated spellings) reach the trie this way.
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "vocab.txt")
    guard let tokenizer = try? WordPieceTokenizer(vocabularyFile: file) else { return 0 }
    _ = tokenizer.decodeText(tokenizer.encode(ScratchFile.text(data, size)), skippingSpecialTokens: false)
    return 0
}
