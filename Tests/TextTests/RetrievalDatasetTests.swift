import Foundation
import TestSupport
import Testing
import Text

/// The BEIR-layout reader, n-tuple files and the delimited writer: what they read, and one-line
/// errors naming the file and line.
@Suite struct RetrievalDatasetTests {
    let errors = DatasetTests()

    /// A folder with `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv` for each entry of `qrels`.
    static func folder(corpus: String, queries: String, qrels: [String: String]) throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        try corpus.write(to: folder.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        try queries.write(to: folder.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        for (split, text) in qrels {
            try text.write(to: folder.appendingPathComponent("qrels/\(split).tsv"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static let corpus = """
        {"_id": "d1", "title": "Guitars", "text": "A man plays a guitar."}
        {"_id": "d2", "text": "  A cat sleeps.  "}

        {"_id": "d3", "title": "", "text": "Rain falls on the city.", "extra": 7}
        """
    static let queries = """
        {"_id": "q1", "text": "someone playing music"}
        {"_id": "q2", "text": "weather"}
        {"_id": "q3", "text": "unjudged"}
        """

    @Test func readsDocumentsQueriesAndGradedJudgements() throws {
        let folder = try Self.folder(corpus: Self.corpus, queries: Self.queries,
                                     qrels: ["test": "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t1\nq2\td2\t0\n", "dev": "query-id\tcorpus-id\tscore\nq2\td3\t1\n"])
        let test = try RetrievalDataset.read(folder: folder, split: "test")
        #expect(test.documents.map(\.contents) == ["Guitars A man plays a guitar.", "A cat sleeps.", "Rain falls on the city."])
        #expect(test.queries.map(\.id) == ["q1", "q2", "q3"])
        // q2's only judgement scores 0 (not relevant): it is not evaluated.
        #expect(test.evaluatedQueries.map(\.id) == ["q1"])
        #expect(test.relevant(to: "q1") == ["d1": 2, "d2": 1])
        #expect(test.judgements["q2"] == ["d2": 0])
        #expect(test.relevantPairs.map { [$0.query.id, $0.document.id] } == [["q1", "d1"], ["q1", "d2"]])
        #expect(try RetrievalDataset.read(folder: folder, split: "dev").evaluatedQueries.map(\.id) == ["q2"])
        #expect(RetrievalDataset.splits(in: folder) == ["dev", "test"])
    }

    /// Each mistake names its file and, on a line, the line.
    @Test func errorsNameTheFileAndLine() throws {
        let header = "query-id\tcorpus-id\tscore\n"
        func error(corpus: String = Self.corpus, queries: String = Self.queries, qrels: String, split: String = "test") throws -> String? {
            let folder = try Self.folder(corpus: corpus, queries: queries, qrels: ["test": qrels])
            return errors.readError { try RetrievalDataset.read(folder: folder, split: split) }
                .map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
        }
        #expect(try error(qrels: header + "q1\td1\t1\n", split: "dev") == "qrels/dev.tsv: no such split (splits: test)")
        #expect(try error(corpus: Self.corpus + "\n{\"_id\": \"d1\", \"text\": \"again\"}", qrels: header) == "corpus.jsonl:5: _id 'd1' repeats line 1")
        #expect(try error(corpus: "{\"_id\": \"d1\"}\n", qrels: header) == "corpus.jsonl:1: missing key text")
        #expect(try error(corpus: "{\"_id\": 4, \"text\": \"x\"}\n", qrels: header) == "corpus.jsonl:1: _id should be a string")
        #expect(try error(corpus: "{\"_id\": \"\", \"text\": \"x\"}\n", qrels: header) == "corpus.jsonl:1: _id is empty")
        #expect(try error(corpus: "", qrels: header) == "corpus.jsonl: no documents")
        #expect(try error(queries: "{\"_id\": \"q1\", \"text\": \"a\"}\n[1]\n", qrels: header)?.hasPrefix("queries.jsonl:2: ") == true)
        #expect(try error(qrels: "q1\td1\t1\n") == "qrels/test.tsv:1: invalid header: expected query-id, corpus-id and score separated by tabs")
        #expect(try error(qrels: header + "q1\td1\n") == "qrels/test.tsv:2: expected 3 columns, found 2")
        #expect(try error(qrels: header + "q1\td1\thigh\n") == "qrels/test.tsv:2: column 3: 'high' is not a number")
        #expect(try error(qrels: header + "q1\td1\t1\nq9\td1\t1\n") == "qrels/test.tsv:3: query id 'q9' is not in queries.jsonl")
        #expect(try error(qrels: header + "q1\td9\t1\n") == "qrels/test.tsv:2: corpus id 'd9' is not in corpus.jsonl")
        #expect(try error(qrels: header + "q1\td1\t1\n\nq1\td1\t2\n") == "qrels/test.tsv:4: query 'q1' and document 'd1' are judged twice")
        #expect(try error(qrels: header + "q1\td1\t0\n") == "qrels/test.tsv: no query has a relevant document (a score above 0)")
        let missing = try TestPaths.temporaryDirectory().appendingPathComponent("nowhere")
        #expect(errors.readError { try RetrievalDataset.read(folder: missing, split: "test") }?.description == "\(missing.path)/corpus.jsonl: no such file")
    }

    /// The bundled folder: 800 queries in three disjoint splits over 3,608 documents, every
    /// relevant score 1.
    @Test func bundledFolderHasDisjointSplits() throws {
        let folder = try TestPaths.dataFile("sts-retrieval/corpus.jsonl").deletingLastPathComponent()
        #expect(RetrievalDataset.splits(in: folder) == ["dev", "test", "train"])
        var seen: Set<String> = []
        for (split, count) in [("train", 500), ("dev", 100), ("test", 200)] {
            let dataset = try RetrievalDataset.read(folder: folder, split: split)
            #expect(dataset.documents.count == 3608 && dataset.queries.count == 800)
            #expect(dataset.evaluatedQueries.count == count, "\(split)")
            let ids = Set(dataset.evaluatedQueries.map(\.id))
            #expect(ids.isDisjoint(with: seen), "\(split) shares queries with another split")
            seen.formUnion(ids)
            #expect(dataset.judgements.values.allSatisfy { $0.values.allSatisfy { $0 == 1 } })
        }
    }

    @Test func tupleFilesReadAnyNumberOfNegatives() throws {
        let csv = try TestPaths.write("anchor,positive,negative_1,negative_2,negative_3,score\na,b,\"c, d\",e,f,1\n\ng,h,i,j,k,0\n", named: "mined.csv")
        #expect(try TripletFile.readTuples(csv) == ParsedDataset(examples: [
            SentenceTuple(anchor: "a", positive: "b", negatives: ["c, d", "e", "f"]),
            SentenceTuple(anchor: "g", positive: "h", negatives: ["i", "j", "k"]),
        ], skippedEmptyLines: 1))
        // SimCSE's triplet header, tab-separated by the extension.
        let tsv = try TestPaths.write("hard_neg\tsent0\tsent1\thard_neg_2\nn\ta\t\"p\"\tm\n", named: "tuples.tsv")
        #expect(try TripletFile.readTuples(tsv).examples == [SentenceTuple(anchor: "a", positive: "\"p\"", negatives: ["n", "m"])])
        let noNegative = try TestPaths.write("anchor,positive,negatives\na,b,c\n", named: "pairs.csv")
        #expect(errors.readError { try TripletFile.readTuples(noNegative) }?.description
                == "\(noNegative.path):1: invalid header: no hard-negative column (hard_neg, hard_neg_1, ... or negative, negative_1, ...)")
        let noAnchor = try TestPaths.write("query,positive,negative_1\na,b,c\n", named: "q.csv")
        #expect(errors.readError { try TripletFile.readTuples(noAnchor) }?.description == "\(noAnchor.path):1: invalid header: no sent0 or anchor column")
        let short = try TestPaths.write("anchor,positive,negative_1\na,b\n", named: "short.csv")
        #expect(errors.readError { try TripletFile.readTuples(short) }?.description == "\(short.path):2: expected 3 columns, found 2")
    }

    @Test func writtenRowsReadBack() throws {
        let rows = [["anchor", "positive", "negative_1"], ["a, b", "say \"hi\"", "two\nlines"], ["plain", "", "x"]]
        let csv = TestPaths.temporaryPath("rows.csv")
        try DelimitedFile.write(rows, to: csv, format: .csv)
        #expect(try DelimitedFile.records(of: csv, format: .csv).map(\.fields) == rows)
        let tsv = TestPaths.temporaryPath("rows.tsv")
        try DelimitedFile.write([rows[0], rows[2]], to: tsv, format: .tsv)
        #expect(try DelimitedFile.records(of: tsv, format: .tsv).map(\.fields) == [rows[0], rows[2]])
        #expect(errors.readError { try DelimitedFile.write(rows, to: tsv, format: .tsv) }?.description
                == "\(tsv.path):2: a field holds a tab or a line break, which TSV cannot hold (write CSV)")
    }
}
