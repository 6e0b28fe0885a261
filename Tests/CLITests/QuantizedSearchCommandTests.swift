import Foundation
import TestSupport
import Testing

/// `encode --precision int8|binary`, quantised `search` and `eval retrieval-text`, `--truncate-dim`
/// everywhere it is taken, and Matryoshka training, with a tiny random encoder (128 dimensions).
@Suite struct QuantizedSearchCommandTests {
    let cli = CommandLineTests()
    let retrieval = RetrievalCommandTests()

    /// The embeddings of `encode --output x.jsonl` with `flags`, one array per line.
    func encoded(_ model: URL, _ input: URL, _ flags: [String]) throws -> [[Double]] {
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("e.jsonl")
        let outcome = try cli.run(["encode", "--model", model.path, "--input", input.path, "--output", output.path, "--quiet"] + flags)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
            try #require((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["embedding"] as? [Double])
        }
    }

    func sentences(_ count: Int) throws -> URL {
        let lines = try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8).split(separator: "\n").prefix(count)
        let file = try TestPaths.temporaryDirectory().appendingPathComponent("sentences.txt")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// int8 codes are clip(floor((x - min) / step), 0, 255) - 128 with each dimension's range over the inputs
    /// (or --calibration's); binary bytes are the packed signs, first dimension highest.
    @Test func encodeQuantisesAsSentenceTransformersDoes() throws {
        let model = try CommandLineTests.tinyModel()
        let input = try sentences(12), calibration = try sentences(30)
        let floats = try encoded(model, input, [])
        #expect(floats.count == 12 && floats[0].count == 128)
        func codes(_ x: [[Double]], calibratedOn c: [[Double]]) -> [[Double]] {
            (0..<x.count).map { r in
                (0..<128).map { j in
                    let (low, high) = (Float(c.map { $0[j] }.min()!), Float(c.map { $0[j] }.max()!))
                    let step = high > low ? (high - low) / 255 : 1
                    return Double(max(0, min(255, ((Float(x[r][j]) - low) / step).rounded(.down))) - 128)
                }
            }
        }
        #expect(try encoded(model, input, ["--precision", "int8"]) == codes(floats, calibratedOn: floats))
        let wide = try encoded(model, calibration, [])
        #expect(try encoded(model, input, ["--precision", "int8", "--calibration", calibration.path]) == codes(floats, calibratedOn: wide))
        let packed = try encoded(model, input, ["--precision", "binary"])
        #expect(packed.count == 12 && packed.allSatisfy { $0.count == 16 })
        for (row, bytes) in zip(floats, packed) {
            for j in 0..<128 { #expect((Int(bytes[j / 8]) >> (7 - j % 8)) & 1 == (row[j] > 0 ? 1 : 0)) }
        }
        // .npy: int8 and uint8 matrices, with the memory per vector in the summary.
        let npy = try TestPaths.temporaryDirectory().appendingPathComponent("e.npy")
        let outcome = try cli.run(["encode", "--model", model.path, "--input", input.path, "--output", npy.path, "--precision", "binary", "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try retrieval.lastObject(outcome)["bytes_per_vector"] as? Int == 16)
        let data = try Data(contentsOf: npy)
        let header = String(decoding: data[10..<(10 + Int(data[8]) + Int(data[9]) * 256)], as: UTF8.self)
        #expect(header.contains("'descr': '|u1'") && header.contains("'shape': (12, 16)") && data.count == 10 + header.utf8.count + 12 * 16)
        #expect(Array(data.suffix(16)).map(Double.init) == packed[11])
        // Truncation keeps the first dimensions, re-normalised as the model normalises.
        let cut = try encoded(model, input, ["--truncate-dim", "32"])
        for (short, full) in zip(cut, floats) {
            let norm = full.prefix(32).reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(short.count == 32 && zip(short, full.prefix(32)).allSatisfy { abs($0 - $1 / norm) < 1e-5 })
        }
    }

    /// --save-ranges writes the int8 ranges used; --calibration with that file quantises later
    /// embeddings (queries) exactly as calibrating on the same sentences does.
    @Test func savedRangesQuantiseLaterEmbeddingsAlike() throws {
        let model = try CommandLineTests.tinyModel()
        let input = try sentences(12), calibration = try sentences(30)
        let ranges = try TestPaths.temporaryDirectory().appendingPathComponent("ranges.npy")
        let corpus = try TestPaths.temporaryDirectory().appendingPathComponent("corpus.npy")
        let saved = try cli.run(["encode", "--model", model.path, "--input", calibration.path, "--output", corpus.path, "--precision", "int8",
                                 "--save-ranges", ranges.path, "--json", "--quiet"])
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(try retrieval.lastObject(saved)["ranges"] as? String == ranges.path)
        let header = String(decoding: try Data(contentsOf: ranges).prefix(128), as: UTF8.self)
        #expect(header.contains("'descr': '<f4'") && header.contains("'shape': (2, 128)"))
        let fromSentences = try encoded(model, input, ["--precision", "int8", "--calibration", calibration.path])
        #expect(try encoded(model, input, ["--precision", "int8", "--calibration", ranges.path]) == fromSentences)
        #expect(try encoded(model, input, ["--precision", "int8"]) != fromSentences, "the inputs' own ranges differ from the corpus's")

        // Bad ranges fail with one line naming the file, before anything is written.
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("never.npy")
        let encode = ["encode", "--model", model.path, "--input", input.path, "--output", output.path, "--precision", "int8", "--calibration"]
        let garbage = try TestPaths.temporaryDirectory().appendingPathComponent("garbage.npy")
        try Data("not numpy".utf8).write(to: garbage)
        cli.expectFailure(try cli.run(encode + [garbage.path]), status: 1, mentions: ["\(garbage.path): not a NumPy .npy file"])
        let narrow = try cli.run(["encode", "--model", model.path, "--input", calibration.path, "--output", corpus.path, "--precision", "int8",
                                  "--truncate-dim", "64", "--save-ranges", ranges.path, "--quiet"])
        #expect(narrow.status == 0, "\(narrow.stderr)")
        cli.expectFailure(try cli.run(encode + [ranges.path]), status: 1, mentions: ["\(ranges.path): ranges of 64 dimensions for embeddings of 128"])
        #expect(!FileManager.default.fileExists(atPath: output.path))
        cli.expectFailure(try cli.run(["encode", "--model", model.path, "--input", input.path, "--output", output.path, "--save-ranges", ranges.path]),
                          status: 2, mentions: ["--save-ranges writes int8 ranges: it needs --precision int8"])
        cli.expectFailure(try cli.run(["encode", "--model", model.path, "--input", input.path, "--output", output.path, "--precision", "int8",
                                       "--save-ranges", "r.txt"]), status: 2, mentions: ["--save-ranges must end in .npy, got 'r.txt'"])
    }

    @Test func searchAndEvaluationOverQuantisedEmbeddings() throws {
        let model = try CommandLineTests.tinyModel()
        let corpus = try sentences(40)
        let search = try cli.run(["search", "--model", model.path, "--corpus", corpus.path, "--query", "the history of the city", "--top-k", "5",
                                  "--precision", "binary", "--rescore-multiplier", "3", "--json", "--quiet"])
        #expect(search.status == 0, "\(search.stderr)")
        let found = try retrieval.lastObject(search)
        #expect((found["results"] as? [Any])?.count == 5 && found["bytes_per_vector"] as? Int == 16 && found["precision"] as? String == "binary")
        #expect((0...5).contains(found["exact_results_found"] as? Int ?? -1))

        let folder = try RetrievalCommandTests.folder()
        let base = ["eval", "retrieval-text", "--model", model.path, "--data", folder.path, "--json", "--quiet"]
        let float32 = try retrieval.lastObject(try cli.run(base))
        for precision in ["int8", "binary"] {
            let outcome = try cli.run(base + ["--precision", precision, "--rescore-multiplier", "2"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let result = try retrieval.lastObject(outcome)
            #expect(result["bytes_per_vector"] as? Int == (precision == "int8" ? 128 : 16) && result["float32_bytes_per_vector"] as? Int == 512)
            // The float32 metrics beside are plain evaluation's.
            #expect(result["exact_ndcg_at_10"] as? Double == float32["ndcg_at_10"] as? Double)
            let overlap = try #require(result["overlap_at_10"] as? Double), ndcg = try #require(result["ndcg_at_10"] as? Double)
            #expect((0...1).contains(overlap) && (0...1).contains(ndcg))
        }
        // hnswlib's graph over float32 embeddings, against exact search.
        let hnsw = try cli.run(base + ["--index", "hnsw"])
        #expect(hnsw.status == 0, "\(hnsw.stderr)")
        let graph = try retrieval.lastObject(hnsw)
        #expect(graph["index"] as? String == "hnsw" && graph["exact_ndcg_at_10"] as? Double == float32["ndcg_at_10"] as? Double)
        #expect((0...1).contains(graph["overlap_at_10"] as? Double ?? -1) && (graph["bytes_per_vector"] as? Int ?? 0) > 512)
        let graphSearch = try retrieval.lastObject(try cli.run(["search", "--model", model.path, "--corpus", corpus.path, "--query", "a river",
                                                                "--index", "hnsw", "--json", "--quiet"]))
        #expect((graphSearch["results"] as? [Any])?.count == 5 && graphSearch["exact_results_found"] as? Int != nil)
        // Truncated evaluation embeds 32 dimensions and ranks differently.
        let cut = try retrieval.lastObject(try cli.run(base + ["--truncate-dim", "32"]))
        #expect(cut["dimensions"] as? Int == 32 && cut["ndcg_at_10"] as? Double != float32["ndcg_at_10"] as? Double)
        let sts = try cli.run(["eval", "sts", "--model", model.path, "--data", TestPaths.dataFile("stsb/sts-dev.csv").path, "--truncate-dim", "16", "--quiet"])
        #expect(sts.status == 0 && sts.stdout.contains("Spearman"), "\(sts.stderr)")
    }

    @Test func badWidthsAndCombinationsAreOneLine() throws {
        let model = try CommandLineTests.tinyModel()
        let input = try sentences(4), output = try TestPaths.temporaryDirectory().appendingPathComponent("e.npy")
        let encode = ["encode", "--model", model.path, "--input", input.path, "--output", output.path]
        cli.expectFailure(try cli.run(encode + ["--truncate-dim", "512"]), status: 2, mentions: ["--truncate-dim: 512 is larger than the model's 128 dimensions"])
        cli.expectFailure(try cli.run(encode + ["--truncate-dim", "0"]), status: 2, mentions: ["--truncate-dim must be at least 1"])
        cli.expectFailure(try cli.run(encode + ["--calibration", input.path]), status: 2, mentions: ["--calibration sets int8 ranges: it needs --precision int8"])
        cli.expectFailure(try cli.run(encode + ["--precision", "int4"]), status: 2, mentions: ["int4"])
        let clip = try CLIPCommandTests.clip()
        cli.expectFailure(try cli.run(["encode", "--model", clip.path, "--input", input.path, "--output", output.path, "--precision", "int8", "--calibration", input.path]),
                          status: 2, mentions: ["--calibration: \(clip.path) is an image-text model"])
        let folder = try RetrievalCommandTests.folder()
        cli.expectFailure(try cli.run(["eval", "retrieval-text", "--model", model.path, "--data", folder.path, "--truncate-dim", "129"]), status: 2,
                          mentions: ["--truncate-dim: 129 is larger than the model's 128 dimensions"])
        cli.expectFailure(try cli.run(["search", "--model", model.path, "--corpus", input.path, "--query", "x", "--precision", "binary", "--rescore-multiplier", "0"]),
                          status: 2, mentions: ["--rescore-multiplier must be at least 1"])
        cli.expectFailure(try cli.run(["search", "--model", model.path, "--corpus", input.path, "--query", "x", "--precision", "int8", "--index", "hnsw"]),
                          status: 2, mentions: ["--index hnsw searches float32 embeddings: not with --precision int8"])
        let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let train = ["train", "simcse", "--init", "tiny", "--corpus", input.path, "--output", run.path, "--pooling", "mean", "--max-steps", "1", "--batch-size", "2"]
        cli.expectFailure(try cli.run(train + ["--matryoshka-dims", "512,64"]), status: 2, mentions: ["--matryoshka-dims: 512 is larger than the model's 128 dimensions"])
        cli.expectFailure(try cli.run(train + ["--matryoshka-dims", "64,x"]), status: 2, mentions: ["--matryoshka-dims: '64,x' is not a comma-separated list of ints"])
        cli.expectFailure(try cli.run(train + ["--truncate-dim", "200"]), status: 2, mentions: ["--truncate-dim: 200 is larger than the model's 128 dimensions"])
    }

    /// Matryoshka training evaluates at the truncated width and records its settings.
    @Test func matryoshkaTrainingEvaluatesTruncated() throws {
        let folder = try RetrievalCommandTests.folder()
        let corpus = try sentences(16)
        let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
        let outcome = try cli.run(["train", "simcse", "--init", "tiny", "--corpus", corpus.path, "--output", run.path, "--pooling", "mean",
                                   "--max-steps", "2", "--batch-size", "8", "--max-length", "16", "--matryoshka-dims", "128,32",
                                   "--matryoshka-weights", "1,2", "--truncate-dim", "32", "--eval-data", folder.path, "--quiet", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect((try retrieval.lastObject(outcome)["metrics"] as? [String: Double])?["ir_ndcg_at_10"] != nil)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("training_config.json"))) as? [String: Any]
        #expect(config?["matryoshka-dims"] as? [Int] == [128, 32] && config?["matryoshka-weights"] as? [Double] == [1, 2] && config?["truncate-dim"] as? Int == 32)
    }
}
