import ArgumentParser
import Evaluation
import Foundation
import Models
import NeuralNetworks
import Tensors
import Text

/// `contrast search`: semantic search over a corpus, with the corpus embeddings cached.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the sentences of a corpus closest in meaning to a query.",
        discussion: """
            The corpus is embedded once and cached next to it (FILE.contrast-cache/, or under \
            ~/.cache/swift-contrastive when that folder is not writable). The cache is keyed by the \
            corpus's size and modification time and by the model's weights, configuration and pooling, \
            so editing either re-embeds. --precision int8 or binary searches quantised corpus embeddings (int8 ranges \
            calibrated on the corpus; binary by Hamming distance), rescores the best top-k x --rescore-multiplier with the \
            float32 query, and reports the memory per vector and how many of exact search's results it found; so does \
            --index hnsw (hnswlib's approximate graph, for corpora beyond brute force).
            """)

    @Option(help: "Model folder.") var model: String
    @Option(help: "Corpus, one sentence per line.") var corpus: String
    @Option(help: "The query.") var query: String
    @Option(name: .customLong("top-k"), help: "Number of results.") var k = 5
    @Option(help: "Pooling (default: the model folder's own).") var pooling: PoolingMode?
    @Option(help: "\(ComputeOrStorePrecision.help)") var precision: ComputeOrStorePrecision = .fp32
    @Option(name: .customLong("rescore-multiplier"), help: "With int8 or binary: rescore top-k times this many candidates with the float32 query.")
    var rescoreMultiplier = 2
    @Option(name: .customLong("truncate-dim"), help: "Search the embeddings' first N dimensions (default: all).") var truncateDim: Int?
    @Option(help: "\(SearchIndex.help)") var index: SearchIndex = .exact
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard k > 0 else { throw ValidationError("--top-k must be positive") }
        guard rescoreMultiplier > 0 else { throw ValidationError("--rescore-multiplier must be at least 1") }
        if let truncateDim, truncateDim < 1 { throw ValidationError("--truncate-dim must be at least 1") }
        guard !query.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--query must not be empty") }
    }

    func run() throws {
        try withMatmulPrecision(precision.products) { try search() }
    }

    private func search() throws {
        let modelURL = URL(fileURLWithPath: model), corpusURL = URL(fileURLWithPath: corpus)
        let encoder = try Models.SentenceEncoder(directory: modelURL, pooling: pooling)
        try encoder.truncate(to: truncateDim)
        let sentences = try PlainCorpus.read(corpusURL).examples
        guard !sentences.isEmpty else { throw CLIError.data("\(corpus): no sentences") }
        let cache = try EmbeddingCache(corpus: corpusURL, model: modelURL, pooling: encoder.pooling, maxLength: encoder.maxLength,
                                       truncateDimension: encoder.truncateDimension)
        let embeddings: Tensor
        if let cached = cache.load(rows: sentences.count) {
            embeddings = cached
            if !quiet { Report.info("using cached embeddings \(cache.file.path)") }
        } else {
            let bar = ProgressBar(total: sentences.count, label: "embed corpus", unit: "sentences", quiet: quiet)
            embeddings = encoder.encode(sentences, batchSize: 64) { bar.update(done: $0) }
            bar.finish()
            cache.store(embeddings)
        }
        let queryEmbedding = encoder.encode([query])
        let exact = EmbeddingIndex(sentences: sentences, embeddings: embeddings).search(queryEmbedding, k: min(k, sentences.count))[0]
        var hits = exact.map { (row: $0.row, score: $0.score) }
        var approximate: (bytes: Int, found: Int)?
        if let search = try index.search(precision: precision, rescoreMultiplier: rescoreMultiplier) {
            let found = try search.search(queryEmbedding, in: embeddings, k: k)
            hits = found.hits[0]
            let expected = Set(exact.map(\.row))
            approximate = (found.bytesPerVector, hits.count { expected.contains($0.row) })
        }
        for hit in hits { Report.result(json: json, "\(Format.fixed(Double(hit.score), 4))  \(sentences[hit.row])") }
        let dimensions = embeddings.shape[1]
        if let approximate {
            Report.info("\(index == .hnsw ? "hnsw" : precision.rawValue): \(approximate.bytes) bytes per vector (float32: \(4 * dimensions)); "
                        + "\(approximate.found) of exact search's \(exact.count) results found")
        }
        if json {
            struct Result: Encodable { let text: String; let score: Float }
            struct Output: Encodable {
                let results: [Result]; let cached: Bool; let precision: String; let index: String; let bytes_per_vector: Int; let exact_results_found: Int?
            }
            try Report.json(Output(results: hits.map { Result(text: sentences[$0.row], score: $0.score) }, cached: cache.wasHit,
                                   precision: precision.embeddings.rawValue, index: index.rawValue,
                                   bytes_per_vector: approximate?.bytes ?? EmbeddingPrecision.float32.bytesPerVector(dimensions: dimensions),
                                   exact_results_found: approximate?.found))
        }
    }
}

/// Corpus embeddings on disk (safetensors), valid while the corpus, the model and the pooling
/// stay the same.
final class EmbeddingCache {
    let file: URL
    let key: String
    private(set) var wasHit = false

    init(corpus: URL, model: URL, pooling: Pooling, maxLength: Int, truncateDimension: Int?) throws {
        let fm = FileManager.default
        func stamp(_ url: URL) -> String {
            let a = try? fm.attributesOfItem(atPath: url.path)
            return "\(a?[.size] ?? 0)-\((a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        let description = ([corpus.standardizedFileURL.path, stamp(corpus), model.standardizedFileURL.path,
                           stamp(model.appendingPathComponent("model.safetensors")), stamp(model.appendingPathComponent("config.json")),
                           pooling.mode.rawValue, "\(pooling.normalize)", "\(maxLength)"]
            + (truncateDimension.map { ["\($0)"] } ?? [])).joined(separator: "|")
        key = String(Self.fnv1a(description), radix: 16)
        let beside = corpus.deletingLastPathComponent().appendingPathComponent(corpus.lastPathComponent + ".contrast-cache")
        let fallback = fm.homeDirectoryForCurrentUser.appendingPathComponent(".cache/swift-contrastive")
        let folder = [beside, fallback].first { (try? fm.createDirectory(at: $0, withIntermediateDirectories: true)) != nil && fm.isWritableFile(atPath: $0.path) } ?? fallback
        file = folder.appendingPathComponent("embeddings-\(key).safetensors")
    }

    /// The cached embeddings when present, complete and made for this key.
    func load(rows: Int) -> Tensor? {
        guard let stored = try? SafeTensorsFile(path: file.path), stored.metadata["key"] == key,
              let tensor = try? stored.tensor(named: "embeddings"), tensor.shape.first == rows else { return nil }
        wasHit = true
        return tensor
    }

    /// Writes the embeddings; a failure only costs re-embedding next time.
    func store(_ embeddings: Tensor) {
        try? SafeTensors.write(["embeddings": embeddings], metadata: ["key": key], to: file.path)
    }

    /// 64-bit FNV-1a: a stable digest of the cache's identity (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
