import ArgumentParser
import Evaluation
import Models
import Tensors

/// `--precision` of the commands that can also quantise embeddings (`encode`, `search`,
/// `eval retrieval-text`): the precision of matrix products, or of the stored embeddings
/// (computed with fp32 products).
enum ComputeOrStorePrecision: String, CaseIterable, ExpressibleByArgument {
    case fp32, bf16, int8, binary

    static let help = "Precision: fp32 or bf16 matrix products, or int8 (calibrated) or binary (sign bits) embeddings computed in fp32."

    /// The precision of matrix products.
    var products: MatmulPrecision { self == .bf16 ? .bf16 : .fp32 }
    /// The precision of the embeddings kept.
    var embeddings: EmbeddingPrecision {
        switch self {
        case .fp32, .bf16: .float32
        case .int8: .int8
        case .binary: .binary
        }
    }
}

extension Models.SentenceEncoder {
    /// Applies `--truncate-dim`: refuses a width beyond the model's with one line.
    func truncate(to dimension: Int?) throws {
        guard let dimension else { return }
        guard dimension <= model.hiddenSize else {
            throw CLIError.usage("--truncate-dim: \(dimension) is larger than the model's \(model.hiddenSize) dimensions")
        }
        truncateDimension = dimension
    }
}
