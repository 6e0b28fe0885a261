import Tensors
import Vision

/// An ALBEF model's view of a retrieval benchmark: the ITC similarity of every caption with every
/// image, and ITM scores for re-ranking a query's best candidates through the fusion encoder.
/// Image tokens and text states are computed once (evaluation mode, no gradient).
///
/// ```swift
/// let index = ALBEFRetrieval(model: model, images: test.images, texts: texts)
/// let probabilities = index.matchScores(text: 0, images: [3, 7])   // ITM's, for re-ranking (``ITMReranking``)
/// ```
public final class ALBEFRetrieval {
    public let model: ALBEF
    /// `[texts, images]` cosine similarities of the ITC features.
    public let similarity: Tensor
    let imageTokens: Tensor, textStates: Tensor, textMask: [Int], length: Int

    /// Encodes `images` and `texts` in batches of `batchSize`.
    public init(model: ALBEF, images: [Image], texts: [String], batchSize: Int = 128) {
        ensure(!images.isEmpty && !texts.isEmpty && batchSize > 0, "ALBEFRetrieval: needs images, texts and a positive batch size")
        self.model = model
        model.eval()
        let batch = model.tokenize(texts)
        length = batch.tokens
        textMask = batch.attentionMask
        let encoded = withoutGradient {
            let tokens = Tensor.concat(stride(from: 0, to: images.count, by: batchSize).map { start in
                model.encoders.imageTokens(model.imageTensor(Array(images[start..<min(start + batchSize, images.count)])))
            }, axis: 0)
            let states = Tensor.concat(stride(from: 0, to: texts.count, by: batchSize).map { start in
                let end = min(start + batchSize, texts.count)
                let rows = TokenBatch(ids: Array(batch.ids[(start * batch.tokens)..<(end * batch.tokens)]),
                                      attentionMask: Array(batch.attentionMask[(start * batch.tokens)..<(end * batch.tokens)]),
                                      batch: end - start, tokens: batch.tokens)
                return model.encoders.textStates(rows)
            }, axis: 0)
            let similarity = model.encoders.textFeatures(states).matmul(model.encoders.imageFeatures(tokens), transposeOther: true)
            return (tokens, states, similarity)
        }
        imageTokens = encoded.0
        textStates = encoded.1
        similarity = encoded.2
    }

    /// ITM match probabilities of caption `text` with each of `images`.
    public func matchScores(text: Int, images: [Int]) -> [Float] {
        probabilities(texts: [Int](repeating: text, count: images.count), images: images)
    }

    /// ITM match probabilities of image `image` with each of `texts`.
    public func matchScores(image: Int, texts: [Int]) -> [Float] {
        probabilities(texts: texts, images: [Int](repeating: image, count: texts.count))
    }

    private func probabilities(texts: [Int], images: [Int]) -> [Float] {
        scored(texts: texts, images: images) { model.matchProbability(textStates: $0, textMask: $1, imageTokens: $2) }
    }

    /// `score` of the fusion inputs of the pairs `(texts[k], images[k])`, without gradients.
    private func scored(texts: [Int], images: [Int], _ score: (Tensor, [Int], Tensor) -> [Float]) -> [Float] {
        guard !texts.isEmpty else { return [] }
        return withoutGradient {
            score(textStates.indexSelect(axis: 0, texts), texts.flatMap { textMask[($0 * length)..<(($0 + 1) * length)] },
                  imageTokens.indexSelect(axis: 0, images))
        }
    }
}
