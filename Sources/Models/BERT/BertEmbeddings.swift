import NeuralNetworks
import Tensors

/// Word, position and token-type embeddings, summed, normalised and dropped out, named as
/// Hugging Face's `BertEmbeddings`.
public final class BertEmbeddings: Module {
    public let words: Embedding, positions: Embedding, tokenTypes: Embedding
    public let norm: LayerNorm
    public let dropout: Dropout
    /// RoBERTa's positions: past the padding index, padding left at it (``BertConfiguration/positionsAfterPadding``).
    let padding: Int?

    public init(_ c: BertConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        words = Embedding(count: c.vocabularySize, dimension: c.hiddenSize, paddingIndex: c.padTokenID, generator: &generator)
        positions = Embedding(count: c.maxPositions, dimension: c.hiddenSize, generator: &generator)
        tokenTypes = Embedding(count: c.typeVocabularySize, dimension: c.hiddenSize, generator: &generator)
        norm = LayerNorm(dimension: c.hiddenSize, eps: c.layerNormEps)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        padding = c.positionsAfterPadding ? c.padTokenID : nil
        super.init()
        register(child: words, as: "word_embeddings")
        register(child: positions, as: "position_embeddings")
        register(child: tokenTypes, as: "token_type_embeddings")
        register(child: norm, as: "LayerNorm")
        register(child: dropout, as: "dropout")
    }

    /// Embeds `[batch, tokens]` ids (row-major) with absolute positions `0..<tokens` (RoBERTa:
    /// `padding + 1` onwards over each row's tokens that are not padding).
    /// `wordEmbeddingHook` may replace the word embeddings before they are summed (Cutoff augments
    /// there).
    public func callAsFunction(ids: [Int], tokenTypeIDs: [Int]?, batch: Int, tokens: Int,
                               wordEmbeddingHook: ((Tensor) -> Tensor)? = nil) -> Tensor {
        ensure(tokens + (padding.map { $0 + 1 } ?? 0) <= positions.count, "BertEmbeddings: \(tokens) tokens exceed the \(positions.count) positions of the model")
        var w = words(ids, shape: [batch, tokens])
        if let hook = wordEmbeddingHook { w = hook(w) }
        let p: Tensor
        if let padding {
            p = positions(Self.positions(ids, after: padding, tokens: tokens), shape: [batch, tokens])
        } else {
            p = positions(Array(0..<tokens), shape: [tokens])
        }
        let t = tokenTypes(tokenTypeIDs ?? [Int](repeating: 0, count: ids.count), shape: [batch, tokens])
        return dropout(norm(w + t + p))
    }

    /// RoBERTa's `create_position_ids_from_input_ids` for rows of `tokens` ids: each row's ids that
    /// are not `padding` numbered `padding + 1` onwards, padding left at `padding`.
    public static func positions(_ ids: [Int], after padding: Int, tokens: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: ids.count / Swift.max(tokens, 1))
        return ids.indices.map { i in
            guard ids[i] != padding else { return padding }
            counts[i / tokens] += 1
            return padding + counts[i / tokens]
        }
    }
}
