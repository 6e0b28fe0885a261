import Foundation
import NeuralNetworks
import Tensors
import Text

/// A tokenizer, a transformer encoder of any family (``TextEncoderModel``) and a pooling: text in, sentence embeddings out. Loads and saves
/// Hugging Face / sentence-transformers model folders.
///
/// ```swift
/// let encoder = try SentenceEncoder(directory: URL(fileURLWithPath: "models/all-MiniLM-L6-v2"))
/// let embeddings = encoder.encode(["A man is playing a guitar."])   // [1, 384], L2-normalised
/// ```
public final class SentenceEncoder {
    public let tokenizer: any TextTokenizer
    public let model: any TextEncoderModel
    public var pooling: Pooling
    /// Longest token sequence fed to the model (sentence-transformers' `max_seq_length`).
    public var maxLength: Int
    /// ``encode(_:batchSize:progress:)`` keeps each embedding's first this many dimensions
    /// (sentence-transformers' `truncate_dim`), re-normalised when the pooling normalises;
    /// `nil`: all of them. Training (``embed(_:attentionMask:wordEmbeddingHook:pooler:)``) is unaffected.
    public var truncateDimension: Int? {
        didSet { ensure((truncateDimension ?? 1) >= 1 && (truncateDimension ?? 0) <= model.hiddenSize,
                        "SentenceEncoder: truncation to \(truncateDimension!) of \(model.hiddenSize) dimensions") }
    }

    public init(tokenizer: any TextTokenizer, model: any TextEncoderModel, pooling: Pooling, maxLength: Int) {
        ensure(maxLength >= 2 && maxLength <= model.maxTokens,
                     "SentenceEncoder: max length \(maxLength) outside 2...\(model.maxTokens)")
        self.tokenizer = tokenizer
        self.model = model
        self.pooling = pooling
        self.maxLength = maxLength
    }

    /// Tokenises `sentences` into one padded batch.
    public func batch(_ sentences: [String], maxLength: Int? = nil) -> TokenBatch {
        TokenBatch(tokenizer.encodeBatch(sentences, maxLength: maxLength ?? self.maxLength))
    }

    /// Embeddings of `batch` with gradient recording as the caller's scope has it (training).
    ///
    /// `attentionMask` overrides the batch's mask and `wordEmbeddingHook` transforms the word
    /// embeddings (Cutoff's views); `pooler` replaces the model's pooler for `cls` (SimCSE's MLP).
    public func embed(_ batch: TokenBatch, attentionMask: [Int]? = nil, wordEmbeddingHook: ((Tensor) -> Tensor)? = nil,
                      pooler: ((Tensor) -> Tensor)? = nil) -> Tensor {
        let mask = attentionMask ?? batch.attentionMask
        let output = model(batch, attentionMask: mask, wordEmbeddingHook: wordEmbeddingHook,
                           lastLayerTokens: pooling.mode.readsFirstTokenOnly ? 0..<1 : nil, hiddenStates: pooling.mode.hiddenStates)
        return pooling(output, attentionMask: mask, pooler: pooler)
    }

    /// `[sentences.count, hidden]` (or ``truncateDimension``) embeddings in input order, computed in evaluation mode without
    /// gradients. Sentences are batched by length (as sentence-transformers does) to limit padding;
    /// `progress` receives the number of sentences done after each batch.
    public func encode(_ sentences: [String], batchSize: Int = 64, progress: ((Int) -> Void)? = nil) -> Tensor {
        ensure(batchSize > 0, "SentenceEncoder.encode: batch size \(batchSize) must be positive")
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let lengths = sentences.map { tokenizer.pieceIDs($0).count }
        let order = sentences.indices.sorted { lengths[$0] > lengths[$1] }
        var rows = [Tensor?](repeating: nil, count: sentences.count)
        var done = 0
        withoutGradient {
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let chunk = Array(order[start..<Swift.min(start + batchSize, order.count)])
                var embeddings = embed(batch(chunk.map { sentences[$0] }))
                if let width = truncateDimension, width < embeddings.shape[1] {
                    embeddings = embeddings.slice(axis: 1, 0..<width)
                    if pooling.normalize { embeddings = embeddings.l2Normalized() }
                }
                for (k, index) in chunk.enumerated() { rows[index] = embeddings.slice(axis: 0, k..<(k + 1)) }
                done += chunk.count
                progress?(done)
            }
        }
        guard !sentences.isEmpty else { return Tensor.zeros([0, truncateDimension ?? model.hiddenSize]) }
        return Tensor.concat(rows.map { $0! }, axis: 0)
    }
}
