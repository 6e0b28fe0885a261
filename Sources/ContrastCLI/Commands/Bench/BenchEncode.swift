import ArgumentParser
import Models
import NeuralNetworks
import Tensors

/// `contrast bench encode`: inference throughput of a BERT of a named shape.
struct BenchEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Sentences per second encoding random token batches with a BERT of a named shape.",
        discussion: "minilm: hidden 384, 6 layers, 12 heads, FFN 1536; mini: 256, 4, 4, 1024; vocabulary 30,522. Evaluation mode, no gradients, mean pooling.")

    @Option(help: "Encoder shape: \(BertConfiguration.Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var shape: BertConfiguration.Preset = .minilm
    @Option(name: .customLong("batch-size"), help: "Sentences per batch.") var batchSize = 64
    @Option(name: .customLong("seq-len"), help: "Tokens per sentence.") var seqLen = 32
    @Option(help: "Timed batches (after 3 warm-up batches).") var repeats = 20
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Result: Encodable {
        let shape: String
        let batch_size, seq_len: Int
        let sentences_per_s: Double
        let ms_per_step: Double
        let threads: Int
    }

    func validate() throws {
        guard batchSize > 0, seqLen >= 2, seqLen <= 512, repeats > 0 else {
            throw ValidationError("--batch-size and --repeats must be positive, --seq-len within 2...512")
        }
    }

    func run() throws {
        var generator = RandomGenerator(seed: 1)
        let model = BertModel(BertConfiguration(preset: shape), source: RandomSource(seed: 2), generator: &generator)
        model.eval()
        let batch = BenchmarkBatches.randomTokens(batch: batchSize, tokens: seqLen, vocabulary: model.configuration.vocabularySize, generator: &generator)
        let pooling = Pooling(mode: .mean)
        let seconds = Stopwatch.median(repeats: repeats) {
            _ = withoutGradient { pooling(model(batch), attentionMask: batch.attentionMask) }
        }
        let result = Result(shape: shape.rawValue, batch_size: batchSize, seq_len: seqLen, sentences_per_s: Double(batchSize) / seconds,
                            ms_per_step: seconds * 1e3, threads: Parallel.threadCount)
        Report.info("encode \(shape.rawValue) batch \(batchSize) x \(seqLen): \(Format.fixed(result.ms_per_step, 1)) ms/batch, "
            + "\(Format.fixed(result.sentences_per_s, 1)) sentences/s (\(result.threads) threads)")
        if json { try Report.json(result) }
    }
}

extension BertConfiguration.Preset: ExpressibleByArgument {}

/// Synthetic inputs shared by the model benchmarks.
enum BenchmarkBatches {
    /// `[batch, tokens]` random ids framed by [CLS] (101) and [SEP] (102), no padding.
    static func randomTokens(batch: Int, tokens: Int, vocabulary: Int, generator: inout RandomGenerator) -> TokenBatch {
        var ids = [Int]()
        for _ in 0..<batch {
            ids.append(101)
            for _ in 0..<(tokens - 2) { ids.append(1000 + generator.nextInt(below: vocabulary - 1000)) }
            ids.append(102)
        }
        return TokenBatch(ids: ids, attentionMask: [Int](repeating: 1, count: ids.count), batch: batch, tokens: tokens)
    }
}
