import FuzzSupport
import Vision

// Reads the input as an image-caption file in both formats (JSONL and CSV).
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "captions")
    _ = try? CaptionFile.read(file, format: .jsonl)
    _ = try? CaptionFile.read(file, format: .csv)
    return 0
}
