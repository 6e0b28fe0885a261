import Foundation

/// A text-retrieval benchmark in the BEIR layout: a folder holding `corpus.jsonl` (`{"_id",
/// "title", "text"}` per line; `title` optional), `queries.jsonl` (`{"_id", "text"}` per line) and
/// `qrels/<split>.tsv` (a header `query-id  corpus-id  score`, then one tab-separated judgement
/// per line; a score above 0 marks the document relevant, higher scores more relevant).
///
/// ```swift
/// let test = try RetrievalDataset.read(folder: URL(fileURLWithPath: "data/sts-retrieval"), split: "test")
/// print(test.evaluatedQueries.count, test.documents.count)
/// ```
public struct RetrievalDataset: Sendable, Equatable {
    /// A document of the corpus.
    public struct Document: Sendable, Equatable {
        public var id: String
        public var title: String
        public var text: String

        /// Creates a document.
        public init(id: String, title: String = "", text: String) {
            self.id = id
            self.title = title
            self.text = text
        }

        /// What an encoder embeds: the title and the text joined by a space, with surrounding
        /// whitespace trimmed (BEIR's and sentence-transformers' convention).
        public var contents: String { (title + " " + text).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// A query.
    public struct Query: Sendable, Equatable {
        public var id: String
        public var text: String

        /// Creates a query.
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }
    }

    /// The corpus, in file order.
    public var documents: [Document]
    /// Every query of `queries.jsonl`, in file order.
    public var queries: [Query]
    /// The split's judgements: for a query id, each judged document id with its score (kept as
    /// read, zero and negative scores included).
    public var judgements: [String: [String: Int]]
    /// The split the judgements come from (`test`).
    public var split: String

    /// Creates a dataset from its parts.
    public init(documents: [Document], queries: [Query], judgements: [String: [String: Int]], split: String) {
        self.documents = documents
        self.queries = queries
        self.judgements = judgements
        self.split = split
    }

    /// The queries with at least one relevant document (score above 0), in file order: the ones an
    /// evaluation ranks the corpus for, as sentence-transformers' `InformationRetrievalEvaluator`.
    public var evaluatedQueries: [Query] {
        queries.filter { judgements[$0.id]?.values.contains { $0 > 0 } ?? false }
    }

    /// The relevant documents of `query` (score above 0) with their scores.
    public func relevant(to query: String) -> [String: Int] {
        (judgements[query] ?? [:]).filter { $0.value > 0 }
    }

    /// Each evaluated query with each of its relevant documents, queries in file order and each
    /// query's documents in corpus order: (query, relevant document) training pairs.
    public var relevantPairs: [(query: Query, document: Document)] {
        evaluatedQueries.flatMap { query in
            let relevant = self.relevant(to: query.id)
            return documents.filter { relevant[$0.id] != nil }.map { (query, $0) }
        }
    }

    /// The splits of `folder`: the names of its `qrels/*.tsv` files, sorted.
    public static func splits(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("qrels").path)) ?? []
        return names.filter { $0.hasSuffix(".tsv") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Reads the corpus, the queries and the judgements of `split` from `folder`.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: a missing file (a missing split names
    ///   the folder's splits), a line that is not a JSON object, a missing or non-string `_id` or
    ///   `text`, an empty or repeated id, a qrels file without its header, a row without three
    ///   columns or with a non-integer score, a query or document id the folder does not hold, a
    ///   pair judged twice, an empty corpus, or a split in which no query has a relevant document.
    public static func read(folder: URL, split: String) throws(TextFileError) -> RetrievalDataset {
        let qrels = folder.appendingPathComponent("qrels").appendingPathComponent("\(split).tsv")
        if !FileManager.default.fileExists(atPath: qrels.path), FileManager.default.fileExists(atPath: folder.path) {
            let splits = splits(in: folder)
            throw TextFileError(file: qrels, .invalidRecord("no such split (\(splits.isEmpty ? "the folder has no qrels/*.tsv" : "splits: " + splits.joined(separator: ", ")))"))
        }
        let corpusFile = folder.appendingPathComponent("corpus.jsonl"), queriesFile = folder.appendingPathComponent("queries.jsonl")
        let documents = try readCorpus(corpusFile)
        guard !documents.isEmpty else { throw TextFileError(file: corpusFile, .invalidRecord("no documents")) }
        let queries = try readQueries(queriesFile)
        let documentIDs = Set(documents.map(\.id)), queryIDs = Set(queries.map(\.id))
        var judgements: [String: [String: Int]] = [:]
        for row in try readQrels(qrels) {
            guard queryIDs.contains(row.query) else {
                throw TextFileError(file: qrels, line: row.line, .invalidRecord("query id '\(row.query)' is not in \(queriesFile.lastPathComponent)"))
            }
            guard documentIDs.contains(row.document) else {
                throw TextFileError(file: qrels, line: row.line, .invalidRecord("corpus id '\(row.document)' is not in \(corpusFile.lastPathComponent)"))
            }
            guard judgements[row.query, default: [:]].updateValue(row.score, forKey: row.document) == nil else {
                throw TextFileError(file: qrels, line: row.line, .invalidRecord("query '\(row.query)' and document '\(row.document)' are judged twice"))
            }
        }
        let dataset = RetrievalDataset(documents: documents, queries: queries, judgements: judgements, split: split)
        guard !dataset.evaluatedQueries.isEmpty else {
            throw TextFileError(file: qrels, .invalidRecord("no query has a relevant document (a score above 0)"))
        }
        return dataset
    }

    /// The documents of a `corpus.jsonl` file.
    ///
    /// - Throws: ``TextFileError`` naming the file and line (see ``read(folder:split:)``).
    public static func readCorpus(_ file: URL) throws(TextFileError) -> [Document] {
        try objects(of: file) { object, line throws(TextFileError) in
            let id = try identifier(in: object, file: file, line: line)
            let text = try required("text", in: object, file: file, line: line)
            return Document(id: id, title: try JSONLines.string("title", in: object, file: file, line: line) ?? "", text: text)
        }
    }

    /// The queries of a `queries.jsonl` file.
    ///
    /// - Throws: ``TextFileError`` naming the file and line (see ``read(folder:split:)``).
    public static func readQueries(_ file: URL) throws(TextFileError) -> [Query] {
        try objects(of: file) { object, line throws(TextFileError) in
            Query(id: try identifier(in: object, file: file, line: line), text: try required("text", in: object, file: file, line: line))
        }
    }

    /// The judgements of a `qrels/<split>.tsv` file, with the line each is on.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: no `query-id  corpus-id  score`
    ///   header, a row without three columns, a score that is not an integer.
    public static func readQrels(_ file: URL) throws(TextFileError) -> [(line: Int, query: String, document: String, score: Int)] {
        let records = try DelimitedFile.records(of: file, format: .tsv)
        guard let headerIndex = records.firstIndex(where: { !$0.isBlank }) else {
            throw TextFileError(file: file, .invalidHeader("the file is empty"))
        }
        let header = records[headerIndex]
        guard header.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) == ["query-id", "corpus-id", "score"] else {
            throw TextFileError(file: file, line: header.line, .invalidHeader("expected query-id, corpus-id and score separated by tabs"))
        }
        return try DelimitedFile.parse(records[(headerIndex + 1)...]) { record throws(TextFileError) in
            let fields = try RecordFields(record, in: file, columns: 3)
            return (record.line, fields.text(1), fields.text(2), try fields.integer(3))
        }.examples
    }

    /// Parses each non-blank line of a JSON Lines `file` with `parse`, refusing a repeated `_id`.
    private static func objects<Element>(
        of file: URL, _ parse: ([String: Any], Int) throws(TextFileError) -> Element
    ) throws(TextFileError) -> [Element] {
        var elements: [Element] = []
        var firstLine: [String: Int] = [:]
        for line in try TextFile.lines(of: file) where !line.text.allSatisfy(\.isWhitespace) {
            let object = try JSONLines.object(line.text, file: file, line: line.number)
            let element = try parse(object, line.number)
            let id = object["_id"] as! String  // checked by `parse`
            if let earlier = firstLine.updateValue(line.number, forKey: id) {
                throw TextFileError(file: file, line: line.number, .invalidRecord("_id '\(id)' repeats line \(earlier)"))
            }
            elements.append(element)
        }
        return elements
    }

    /// The non-empty string `_id` of a line's object.
    private static func identifier(in object: [String: Any], file: URL, line: Int) throws(TextFileError) -> String {
        let id = try required("_id", in: object, file: file, line: line)
        guard !id.isEmpty else { throw TextFileError(file: file, line: line, .invalidRecord("_id is empty")) }
        return id
    }

    /// The string at `key`, which must be present.
    private static func required(_ key: String, in object: [String: Any], file: URL, line: Int) throws(TextFileError) -> String {
        guard let value = try JSONLines.string(key, in: object, file: file, line: line) else {
            throw TextFileError(file: file, line: line, .missingKey(key))
        }
        return value
    }
}
