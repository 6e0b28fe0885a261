import Foundation
import TestSupport
import Testing

/// `contrast bench encode|train|image-train` over the shapes of every model family, at batches small enough
/// for a debug build: what costs time is drawing the random weights (XLM-R's 250,002 x 768
/// embeddings), so the shapes run one after another to bound memory.
@Suite struct EncoderBenchmarkTests {
    let cli = CommandLineTests()

    func lastJSONObject(_ outcome: CommandLineTests.Outcome) throws -> [String: Any] {
        let last = try #require(outcome.stdout.split(separator: "\n").last.map(String.init), "stdout: \(outcome.stdout)")
        return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(last)")
    }

    @Test(.serialized, arguments: ["bert-base", "mpnet-base", "xlmr-base", "modernbert-base", "clip-b32-text", "clip-b32-image"])
    func encodeReportsEachShapeAsJSON(shape: String) throws {
        let outcome = try cli.run(["bench", "encode", "--shape", shape, "--batch-size", "2", "--max-length", "8", "--repeats", "1", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let result = try lastJSONObject(outcome)
        let images = shape == "clip-b32-image"
        #expect(result["shape"] as? String == shape && result["precision"] as? String == "fp32")
        #expect(result["inputs"] as? String == (images ? "images" : "sentences"))
        // An image of 224 x 224 pixels in patches of 32 is 49 tokens and the class token.
        #expect(result["batch_size"] as? Int == 2 && result["seq_len"] as? Int == (images ? 50 : 8), "\(result)")
        for key in ["sentences_per_s", "ms_per_step", "peak_rss_mb"] {
            #expect((result[key] as? Double ?? 0) > 0, "\(key): \(result)")
        }
        let kernels = try #require(result["kernels"] as? [String])
        #expect(!kernels.isEmpty && !kernels.contains { $0.hasPrefix("ref:") }, "\(kernels)")
        #expect(!outcome.stderr.contains("warning"), "\(outcome.stderr)")
    }

    @Test func trainTakesTextEncodersOnly() throws {
        let trained = try cli.run(["bench", "train", "--shape", "tiny", "--batch-size", "2", "--max-length", "8", "--repeats", "1", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try lastJSONObject(trained)["peak_tensor_mb"] as? Double ?? 0 > 0)
        let refused = try cli.run(["bench", "train", "--shape", "clip-b32-image"])
        cli.expectFailure(refused, status: 2, mentions: ["clip-b32-image is not a text encoder", "mpnet-base"])
        let tooLong = try cli.run(["bench", "encode", "--shape", "clip-b32-text", "--max-length", "78"])
        cli.expectFailure(tooLong, status: 2, mentions: ["--max-length must be within 2...77 for clip-b32-text"])
    }

    /// The training steps of SimCLR and ALIGN that bench/compare-pytorch.sh times, at a batch of 4.
    @Test(arguments: ["simclr", "align"])
    func imageTrainTimesEachMethodsStep(shape: String) throws {
        let outcome = try cli.run(["bench", "image-train", "--shape", shape, "--batch-size", "4", "--repeats", "1", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let result = try lastJSONObject(outcome)
        #expect(result["shape"] as? String == shape && result["inputs"] as? String == "images" && result["batch_size"] as? Int == 4, "\(result)")
        for key in ["sentences_per_s", "ms_per_step", "peak_rss_mb", "peak_tensor_mb"] {
            #expect((result[key] as? Double ?? 0) > 0, "\(key): \(result)")
        }
        let kernels = try #require(result["kernels"] as? [String])
        #expect(!kernels.isEmpty && !kernels.contains { $0.hasPrefix("ref:") }, "\(kernels)")
        let refused = try cli.run(["bench", "image-train", "--shape", "minilm"])
        cli.expectFailure(refused, status: 2, mentions: ["minilm"])
    }
}
