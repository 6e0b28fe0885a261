import Augmentation
import FuzzSupport

// Reads the input as a back-translation paraphrase file in both line formats (TSV and JSONL).
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "paraphrases.txt")
    _ = try? ParaphraseFile.read(file, format: .tsv)
    _ = try? ParaphraseFile.read(file, format: .jsonl)
    return 0
}
