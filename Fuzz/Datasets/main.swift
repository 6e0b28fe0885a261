import FuzzSupport
import Text

// Reads the input with every dataset reader of `Text` (STS-B, SICK, sentence pairs as TSV and
// CSV, triplets and n-tuples, plain corpus, a retrieval folder's corpus, queries and qrels): they
// share the line, CSV and JSON Lines splitters, and each either parses or throws a
// `TextFileError` (typed throws).
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
    _ = try? TripletFile.readTuples(file, format: .csv)
    _ = try? TripletFile.readTuples(file, format: .tsv)
    _ = try? RetrievalDataset.readCorpus(file)
    _ = try? RetrievalDataset.readQueries(file)
    _ = try? RetrievalDataset.readQrels(file)
    _ = try? PlainCorpus.read(file)
    return 0
}
