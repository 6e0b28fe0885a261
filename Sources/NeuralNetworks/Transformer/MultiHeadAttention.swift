import Tensors

/// Multi-head scaled dot-product attention with query, key and value projections, named as in
/// Hugging Face BERT's `BertSelfAttention` (`query`, `key`, `value`) or CLIP's `CLIPAttention`
/// (`q_proj`, `k_proj`, `v_proj`; see ``CheckpointNaming``).
///
/// Self-attention reads keys and values from its input; cross-attention (ALBEF's fusion encoder)
/// reads them from a `context` sequence, whose width may differ from the query width.
///
/// ```swift
/// let attention = MultiHeadAttention(width: 384, heads: 12, dropout: 0.1, source: random, generator: &g)
/// let y = attention(x, keyMask: mask)                  // self-attention, x: [batch, tokens, 384]
/// let z = attention(x, context: image, keyMask: nil)   // cross-attention
/// ```
public final class MultiHeadAttention: Module {
    public let query: Linear, key: Linear, value: Linear
    /// Dropout on the attention probabilities.
    public let dropout: Dropout
    public let heads: Int

    /// - Parameters:
    ///   - contextWidth: the width of the key/value sequence (defaults to `width`).
    ///   - naming: the names the projections are registered under.
    public init(width: Int, heads: Int, contextWidth: Int? = nil, dropout: Float, naming: CheckpointNaming = .bert,
                source: RandomSource, generator: inout RandomGenerator) {
        ensure(heads > 0 && width % heads == 0, "MultiHeadAttention: width \(width) is not divisible by \(heads) heads")
        let kv = contextWidth ?? width
        query = Linear(inputSize: width, outputSize: width, generator: &generator)
        key = Linear(inputSize: kv, outputSize: width, generator: &generator)
        value = Linear(inputSize: kv, outputSize: width, generator: &generator)
        self.dropout = Dropout(probability: dropout, source: source)
        self.heads = heads
        super.init()
        let names = naming == .clip ? ["q_proj", "k_proj", "v_proj"] : ["query", "key", "value"]
        register(child: query, as: names[0])
        register(child: key, as: names[1])
        register(child: value, as: names[2])
        register(child: self.dropout, as: "dropout")
    }

    /// Attends from `x` (`[batch, tokens, width]`) to `context` (default: `x` itself).
    ///
    /// - Parameter keyMask: additive mask (0 to attend, a large negative value to ignore): `[batch, keys]`
    ///   for every query alike, e.g. from `MultiHeadAttention.additiveMask(_:batch:tokens:)`, or
    ///   `[batch, queries, keys]`, e.g. from `MultiHeadAttention.causalMask(_:batch:tokens:)`.
    public func callAsFunction(_ x: Tensor, context: Tensor? = nil, keyMask: Tensor? = nil) -> Tensor {
        ensure(x.rank == 3, "MultiHeadAttention: input must be [batch, tokens, width], got \(x.shape)")
        let source = context ?? x
        return Self.attend(queries: query(x), keys: key(source), values: value(source), heads: heads, keyMask: keyMask, dropout: dropout)
    }

    /// ``attend(queries:keys:values:keyMask:scoreBias:dropout:)`` of projections whose heads are
    /// not split yet (`[batch, tokens, heads · headSize]`). Where nothing needs a gradient and no
    /// dropout is drawn (inference), it runs as one kernel
    /// (`Tensor.attention(keys:values:heads:scale:additiveMask:scoreBias:)`) that reads the heads in place and
    /// keeps no `[batch, heads, queries, keys]` scores; otherwise it splits the heads. Under bf16
    /// products that kernel's two products stay fp32, more exact than bf16 asks and measured no
    /// slower than the materialised path's head splits, score tensors and bf16 copies.
    public static func attend(queries q: Tensor, keys k: Tensor, values v: Tensor, heads: Int, keyMask: Tensor?, scoreBias: Tensor? = nil,
                              dropout: Dropout) -> Tensor {
        if !GradMode.records([q, k, v] + [scoreBias].compactMap { $0 }) && !dropout.isActive {
            ensure(q.rank == 3 && q.shape[2] % heads == 0, "attend: queries \(q.shape) are not [batch, tokens, width] with width divisible by \(heads)")
            return q.attention(keys: k, values: v, heads: heads, scale: 1 / Float(q.shape[2] / heads).squareRoot(), additiveMask: keyMask,
                               scoreBias: scoreBias)
        }
        return attend(queries: splitHeads(q, heads: heads), keys: splitHeads(k, heads: heads), values: splitHeads(v, heads: heads),
                      keyMask: keyMask, scoreBias: scoreBias, dropout: dropout)
    }

    /// `[batch, tokens, heads · headSize]` as `[batch, heads, tokens, headSize]`: the layout
    /// ``attend(queries:keys:values:keyMask:scoreBias:dropout:)`` reads.
    public static func splitHeads(_ t: Tensor, heads: Int) -> Tensor {
        ensure(t.rank == 3 && t.shape[2] % heads == 0, "splitHeads: \(t.shape) is not [batch, tokens, width] with width divisible by \(heads)")
        return t.reshaped([t.shape[0], t.shape[1], heads, t.shape[2] / heads]).permuted([0, 2, 1, 3])
    }

    /// Scaled dot-product attention of projected, head-split queries `[batch, heads, queries,
    /// headSize]` over keys and values `[batch, heads, keys, headSize]`:
    /// `softmax((q·kᵀ + scoreBias) / √headSize + keyMask) · v`, with `dropout` on the
    /// probabilities, and the heads merged back into `[batch, queries, heads · headSize]`.
    ///
    /// Every family's attention shares this core; they differ in their projections and in
    /// `scoreBias`, which is added to the products *before* scaling, so that the scale stays fused
    /// in the softmax: it broadcasts over the leading axes of `[batch, heads, queries, keys]`
    /// (MPNet's relative position bias `[heads, queries, keys]` multiplied by `√headSize`, a
    /// sliding window's `[queries, keys]` mask).
    public static func attend(queries q: Tensor, keys k: Tensor, values v: Tensor, keyMask: Tensor?, scoreBias: Tensor? = nil,
                              dropout: Dropout) -> Tensor {
        ensure(q.rank == 4 && k.rank == 4 && v.rank == 4,
               "attend: queries \(q.shape), keys \(k.shape) and values \(v.shape) are not [batch, heads, tokens, headSize]")
        let (batch, heads, tokens, headSize) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        var scores = q.matmul(k, transposeOther: true)
        if let scoreBias { scores = scores + scoreBias }
        let probabilities = scores.softmax(scale: 1 / Float(headSize).squareRoot(), additiveMask: keyMask)
        return dropout.matmul(probabilities, v).permuted([0, 2, 1, 3]).reshaped([batch, tokens, heads * headSize])
    }

    /// The additive mask for a `[batch, tokens]` attention mask of 1 (attend) and 0 (padding):
    /// 0 where attending, the lowest finite Float elsewhere (as Hugging Face does).
    public static func additiveMask(_ attentionMask: [Int], batch: Int, tokens: Int) -> Tensor {
        ensure(attentionMask.count == batch * tokens, "additiveMask: \(attentionMask.count) mask values for [\(batch), \(tokens)]")
        return Tensor(attentionMask.map { $0 != 0 ? 0 : -Float.greatestFiniteMagnitude }, shape: [batch, tokens])
    }

    /// The `[batch, tokens, tokens]` additive mask of causal self-attention over a padded batch
    /// (CLIP's text encoder): query `i` attends to key `j` when `j <= i` and `j` is not padding.
    public static func causalMask(_ attentionMask: [Int], batch: Int, tokens: Int) -> Tensor {
        ensure(attentionMask.count == batch * tokens, "causalMask: \(attentionMask.count) mask values for [\(batch), \(tokens)]")
        var mask = [Float](repeating: -Float.greatestFiniteMagnitude, count: batch * tokens * tokens)
        for b in 0..<batch {
            for i in 0..<tokens {
                for j in 0...i where attentionMask[b * tokens + j] != 0 { mask[(b * tokens + i) * tokens + j] = 0 }
            }
        }
        return Tensor(mask, shape: [batch, tokens, tokens])
    }
}
