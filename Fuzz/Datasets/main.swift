import FuzzSupport
import Text

// Reads the input with every dataset reader of `Text` (STS-B, SICK, sentence pairs as TSV and
// CSV, triplets, plain corpus): they share the line and CSV splitters, and each either parses
// or throws a `TextFileError` (typed throws).
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "dataset.txt")
    _ = try? STSBenchmark.read(file)
    if let pairs = try? SICK.read(file) {
        _ = SICK.supervisedTriplets(pairs.examples)
        _ = SICK.entailmentPairs(pairs.examples)
    }
    _ = try? PairFile.read(file, format: .tsv)
    _ = try? PairFile.read(file, format: .csv)
    _ = try? TripletFile.read(file)
    _ = try? PlainCorpus.read(file)
    return 0
}
