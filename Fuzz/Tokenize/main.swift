import Foundation
import FuzzSupport
import Text

/// A small vocabulary with the special tokens, whole words, continuation pieces, an accented
/// word and a CJK ideograph.
let vocabulary = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "play", "##ing", "##s", "un", "##able", "café", "cafe",
    "中", ".", ",", "'", "##'",
].joined(separator: "\n")

/// One tokenizer per normalisation setting (cleaning, CJK isolation, lower-casing, accent
/// stripping on, off or following lower-casing), chosen by the input's first byte.
let tokenizers: [WordPieceTokenizer] = {
    let file = ScratchFile.write(Data(vocabulary.utf8), as: "vocab.txt")
    var result: [WordPieceTokenizer] = []
    for clean in [false, true] {
        for chinese in [false, true] {
            for lower in [false, true] {
                for strip: Bool? in [nil, false, true] {
                    let options = NormalizationOptions(
                        cleanText: clean, handleChineseCharacters: chinese, lowercase: lower, stripAccents: strip)
                    do {
                        result.append(try WordPieceTokenizer(vocabularyFile: file, options: options))
                    } catch {
                        fatalError("the fixed vocabulary does not load: \(error)")
                    }
                }
            }
        }
    }
    return result
}()

// Tokenises the rest of the input as one text and, split at its first tab, as a pair, with
// lengths that force truncation; then decodes the ids back.
runFuzzer { data, size in
    guard let data, size > 0 else { return 0 }
    let tokenizer = tokenizers[Int(data[0]) % tokenizers.count]
    let text = ScratchFile.text(data + 1, size - 1)
    let pieces = tokenizer.pieceIDs(text)
    _ = tokenizer.decodeText(pieces)
    _ = tokenizer.tokenize(text)
    let halves = text.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    let pair = (halves[0], halves.count > 1 ? halves[1] : "")
    _ = tokenizer.encodeBatch([text, pair.0], maxLength: 8, padding: .fixed(6))
    _ = tokenizer.encodeBatch(pairs: [pair], maxLength: 5)
    return 0
}
