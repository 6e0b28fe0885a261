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

/// `--index` of `search` and `eval retrieval-text`: compare with every document, or search
/// hnswlib's graph.
enum SearchIndex: String, CaseIterable, ExpressibleByArgument {
    case exact, hnsw

    static let help = "exact (every document compared) or hnsw (hnswlib's approximate graph over float32 embeddings, M 16, ef 200 to build, at least 64 to search)."

    /// The approximate search of `--index` and `--precision`, or `nil` for exact float32 search.
    /// - Throws: a usage error for an HNSW graph over quantised embeddings.
    func search(precision: ComputeOrStorePrecision, rescoreMultiplier: Int) throws -> ApproximateSearch? {
        switch (self, precision.embeddings) {
        case (.exact, .float32): return nil
        case (.hnsw, .float32): return .hnsw
        case (.exact, let stored): return .quantised(stored, rescoreMultiplier: rescoreMultiplier)
        case (.hnsw, _): throw CLIError.usage("--index hnsw searches float32 embeddings: not with --precision \(precision.rawValue)")
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
