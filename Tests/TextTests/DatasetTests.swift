import TestSupport
import Foundation
import Testing
import Text

/// The dataset readers on real files (`data/`, `Tests/Fixtures`) and on malformed inputs.
@Suite struct DatasetTests {
    /// The error `read` throws, checked to be a one-line ``TextFileError``.
    func readError<T>(_ read: () throws -> T) -> TextFileError? {
        do {
            _ = try read()
            Issue.record("expected an error")
            return nil
        } catch let error as TextFileError {
            #expect(!error.description.contains("\n"))
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    // MARK: STS-B

    @Test func stsbDev() throws {
        let dev = try STSBenchmark.read(TestPaths.dataFile("stsb/sts-dev.csv"))
        #expect(dev.examples.count == 1500 && dev.skippedEmptyLines == 0)
        #expect(dev.examples[0] == ScoredPair("A man with a hard hat is dancing.", "A man wearing a hard hat is dancing.", score: 5))
        // The last row has two extra source columns, which are ignored.
        #expect(dev.examples[1499] == ScoredPair(
            "New video shows US police officers beating mentally-ill man",
            "New York police officer critically wounded in hatchet attack", score: 0))
    }

    @Test func stsbMalformedRows() throws {
        let good = "g\tf\t2012\t1\t4.5\tA b.\tC d.\n"
        let blank = try TestPaths.write(good + "\n" + good, named: "sts.csv")
        #expect(try STSBenchmark.read(blank) == ParsedDataset(
            examples: Array(repeating: ScoredPair("A b.", "C d.", score: 4.5), count: 2), skippedEmptyLines: 1))

        let short = try TestPaths.write(good + "g\tf\t2012\t1\t4.5\tonly one\n", named: "sts.csv")
        let shortError = readError { try STSBenchmark.read(short) }
        #expect(shortError?.description == "\(short.path):2: expected at least 7 columns, found 6")

        let word = try TestPaths.write(good + good + "g\tf\t2012\t1\tfive\ta\tb\n", named: "sts.csv")
        #expect(readError { try STSBenchmark.read(word) }?.description == "\(word.path):3: column 5: 'five' is not a number")

        let range = try TestPaths.write("g\tf\t2012\t1\t5.5\ta\tb\n", named: "sts.csv")
        #expect(readError { try STSBenchmark.read(range) }?.problem == .outOfRange(column: 5, value: 5.5, range: 0...5))

        let bytes = try TestPaths.write(Array(good.utf8) + Array("g\tf\t2012\t1\t1\t".utf8) + [0xC3, 0x28] + Array("\tb\n".utf8), named: "sts.csv")
        let utf8 = readError { try STSBenchmark.read(bytes) }
        #expect(utf8?.line == 2 && utf8?.problem == .invalidUTF8)

        let missing = try TestPaths.temporaryDirectory().appendingPathComponent("no-such.csv")
        #expect(readError { try STSBenchmark.read(missing) }?.description == "\(missing.path): no such file")
    }

    // MARK: SICK

    @Test func sickTrialAndTrain() throws {
        let trial = try SICK.read(TestPaths.fixture("sick/SICK_trial.txt")).examples
        #expect(trial.count == 500)
        #expect(trial[0] == SICKPair(
            id: 4, first: "The young boys are playing outdoors and the man is smiling nearby",
            second: "There is no boy playing outdoors and there is no man smiling", relatedness: 3.6, label: .contradiction))
        #expect(SICK.entailmentPairs(trial).count == 144)
        let triplets = SICK.supervisedTriplets(trial)
        #expect(triplets.count == 2)
        #expect(triplets.first == SentenceTriplet(
            anchor: "The lady is slicing a tomato", positive: "Someone is cutting a tomato",
            hardNegative: "There is no one cutting a tomato"))

        // The first 500 rows of SICK_train.txt; counts computed from the file with cut/uniq and Python, not this reader.
        let train = try SICK.read(TestPaths.fixture("sick/SICK_train-500.txt")).examples
        #expect(train.count == 500)
        #expect(Dictionary(grouping: train, by: \.label).mapValues(\.count) == [.entailment: 103, .neutral: 341, .contradiction: 56])
        #expect(SICK.supervisedTriplets(train).count == 6)
        #expect(SICK.entailmentPairs(train).count == 103)
    }

    @Test func sickTripletsCycleContradictionsAndSkipPremisesWithout() {
        let pairs = [
            SICKPair(id: 1, first: "p", second: "e1", relatedness: 4, label: .entailment),
            SICKPair(id: 2, first: "p", second: "c1", relatedness: 2, label: .contradiction),
            SICKPair(id: 3, first: "q", second: "e3", relatedness: 4, label: .entailment),
            SICKPair(id: 4, first: "p", second: "e2", relatedness: 4, label: .entailment),
            SICKPair(id: 5, first: "p", second: "c2", relatedness: 2, label: .contradiction),
            SICKPair(id: 6, first: "p", second: "e3", relatedness: 4, label: .entailment),
            SICKPair(id: 7, first: "p", second: "n", relatedness: 3, label: .neutral),
        ]
        #expect(SICK.supervisedTriplets(pairs) == [
            SentenceTriplet(anchor: "p", positive: "e1", hardNegative: "c1"),
            SentenceTriplet(anchor: "p", positive: "e2", hardNegative: "c2"),
            SentenceTriplet(anchor: "p", positive: "e3", hardNegative: "c1"),
        ])
        #expect(SICK.entailmentPairs(pairs).map(\.second) == ["e1", "e3", "e2", "e3"])
    }

    @Test func sickMalformedRows() throws {
        let header = "pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n"
        let good = try TestPaths.write(header + "1\ta\tb\t4.5\tNEUTRAL\n\n", named: "SICK.txt")
        #expect(try SICK.read(good).examples.map(\.label) == [.neutral])
        #expect(try SICK.read(good).skippedEmptyLines == 1)

        let label = try TestPaths.write("1\ta\tb\t4.5\tMAYBE\n", named: "SICK.txt")
        #expect(readError { try SICK.read(label) }?.description == "\(label.path):1: column 5: unknown label 'MAYBE'")
        let id = try TestPaths.write("1\ta\tb\t4.5\tNEUTRAL\nx\ta\tb\t4.5\tNEUTRAL\n", named: "SICK.txt")
        #expect(readError { try SICK.read(id) }?.problem == .invalidNumber(column: 1, text: "x"))
        let columns = try TestPaths.write("1\ta\tb\t4.5\tNEUTRAL\textra\n", named: "SICK.txt")
        #expect(readError { try SICK.read(columns) }?.problem == .wrongColumnCount(expected: "5", found: 6))
        let range = try TestPaths.write("1\ta\tb\t0.5\tNEUTRAL\n", named: "SICK.txt")
        #expect(readError { try SICK.read(range) }?.problem == .outOfRange(column: 4, value: 0.5, range: 1...5))
    }

    // MARK: Corpus, pairs, triplets

    @Test func plainCorpus() throws {
        #expect(try PlainCorpus.read(TestPaths.dataFile("wiki/wiki-6400.txt")).examples.count == 6400)
        let file = try TestPaths.write("First one.  \r\n\n   \nSecond\t\nlast without newline", named: "corpus.txt")
        #expect(try PlainCorpus.read(file) == ParsedDataset(
            examples: ["First one.", "Second", "last without newline"], skippedEmptyLines: 2))
        let bytes = try TestPaths.write(Array("ok\n".utf8) + [0xE2, 0x82], named: "corpus.txt")
        #expect(readError { try PlainCorpus.read(bytes) }?.line == 2)
    }

    @Test func pairFiles() throws {
        let tsv = try TestPaths.write("sent0\tsent1\na\tb\n\n\"q\"\tc, d\n", named: "pairs.tsv")
        #expect(try PairFile.read(tsv) == ParsedDataset(examples: [SentencePair("a", "b"), SentencePair("\"q\"", "c, d")], skippedEmptyLines: 1))
        let csv = try TestPaths.write("sent0,sent1\r\n\"a, b\",\"say \"\"hi\"\"\"\r\n", named: "pairs.csv")
        #expect(try PairFile.read(csv).examples == [SentencePair("a, b", "say \"hi\"")])
        let wrong = try TestPaths.write("a\tb\nc\n", named: "pairs.tsv")
        #expect(readError { try PairFile.read(wrong) }?.description == "\(wrong.path):2: expected 2 columns, found 1")
    }

    @Test func tripletFiles() throws {
        let csv = [
            "hard_neg,sent0,sent1",
            #""no, never",A man,"He said ""yes""""#,
            "",
            #"n2,"two"#,
            #"lines",p2"#,
            "",
        ].joined(separator: "\n")
        let file = try TestPaths.write(csv, named: "nli.csv")
        #expect(try TripletFile.read(file) == ParsedDataset(examples: [
            SentenceTriplet(anchor: "A man", positive: "He said \"yes\"", hardNegative: "no, never"),
            SentenceTriplet(anchor: "two\nlines", positive: "p2", hardNegative: "n2"),
        ], skippedEmptyLines: 1))
    }

    @Test func malformedTripletFiles() throws {
        let header = "sent0,sent1,hard_neg\n"
        let noColumn = try TestPaths.write("sent0,sent1\na,b\n", named: "nli.csv")
        #expect(readError { try TripletFile.read(noColumn) }?.description == "\(noColumn.path):1: invalid header: no hard_neg column")
        let count = try TestPaths.write(header + "a,b,c\n\"x,y\",z\n", named: "nli.csv")
        #expect(readError { try TripletFile.read(count) }?.description == "\(count.path):3: expected 3 columns, found 2")
        let unterminated = try TestPaths.write(header + "a,b,c\na,\"b\nc,d\n", named: "nli.csv")
        #expect(readError { try TripletFile.read(unterminated) }?.description == "\(unterminated.path):3: malformed CSV: unterminated quoted field")
        let trailing = try TestPaths.write(header + "a,\"b\"x,c\n", named: "nli.csv")
        #expect(readError { try TripletFile.read(trailing) }?.problem == .malformedCSV("text after a closing quote"))
        let empty = try TestPaths.write("\n\n", named: "nli.csv")
        #expect(readError { try TripletFile.read(empty) }?.problem == .invalidHeader("the file is empty"))
    }
}
