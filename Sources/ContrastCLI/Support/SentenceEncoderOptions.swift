import ArgumentParser
import Foundation
import Evaluation
import Models

/// The flags that load a sentence encoder for a command that embeds many texts (`eval sts`,
/// `eval retrieval-text`, `mine-negatives`): the model folder, its pooling, the batch size and
/// the longest token sequence.
struct SentenceEncoderOptions: ParsableArguments {
    @Option(help: "Model folder.") var model: String
    @Option(help: "Pooling (default: the model folder's own): \(PoolingMode.allCases.map(\.rawValue).joined(separator: ", ")).")
    var pooling: PoolingMode?
    @Option(name: .customLong("batch-size"), help: "Texts per batch.") var batchSize = 64
    @Option(name: .customLong("max-length"), help: "Longest token sequence (default: the model folder's).") var maxLength: Int?

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
    }

    /// The encoder of `--model` with `--pooling` and `--max-length` applied (a length beyond the
    /// model's position table is cut to it).
    func load() throws -> Models.SentenceEncoder {
        let encoder = try Models.SentenceEncoder(directory: URL(fileURLWithPath: model), pooling: pooling)
        if let maxLength { encoder.maxLength = min(maxLength, encoder.model.maxTokens) }
        return encoder
    }

    /// `texts` embedded in batches of `--batch-size`.
    func embed(_ encoder: Models.SentenceEncoder) -> EmbeddingFunction {
        { encoder.encode($0, batchSize: batchSize) }
    }
}
