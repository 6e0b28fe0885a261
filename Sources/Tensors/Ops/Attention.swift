extension Tensor {
    /// Multi-head scaled dot-product attention for inference, in one kernel:
    /// `softmax(scale · q·kᵀ + additiveMask) · v` per head, with queries `self`
    /// (`[batch, queries, heads · headSize]`), `keys` and `values` (`[batch, keys, heads · headSize]`)
    /// laid out as the projections make them, and the heads merged in the result
    /// (`[batch, queries, heads · headSize]`).
    ///
    /// The same values as splitting the heads, `matmul`, `softmax(scale:additiveMask:)`, `matmul`
    /// and merging, without their copies or the `[batch, heads, queries, keys]` scores: memory
    /// grows with the sequence, not with its square (`Kernels.attentionForward`). It has no
    /// backward: it is for products that need no gradient. Its products are fp32 whatever
    /// `MatmulPrecision.current` says (bf16 inference uses it with fp32 attention products).
    ///
    /// - Parameters:
    ///   - additiveMask: `[batch, keys]`, or `[batch, queries, keys]` (as `softmax`'s).
    ///   - scoreBias: added to `q·kᵀ` before scaling, `[heads, queries, keys]` or `[queries, keys]`
    ///     for every head (MPNet's relative position bias).
    public func attention(keys: Tensor, values: Tensor, heads: Int, scale: Float, additiveMask: Tensor? = nil, scoreBias: Tensor? = nil) -> Tensor {
        ensure(rank == 3 && keys.rank == 3 && values.shape == keys.shape && keys.shape[0] == shape[0] && keys.shape[2] == shape[2]
               && heads > 0 && shape[2] % heads == 0,
               "attention: queries \(shape), keys \(keys.shape) and values \(values.shape) are not [batch, tokens, width] of one batch and width divisible by \(heads) heads")
        let (batch, queries, width, keyCount) = (shape[0], shape[1], shape[2], keys.shape[1])
        let perQuery = additiveMask?.rank == 3
        if let mask = additiveMask {
            ensure(mask.shape == [batch, keyCount] || mask.shape == [batch, queries, keyCount],
                   "attention: mask \(mask.shape) is neither [\(batch), \(keyCount)] nor [\(batch), \(queries), \(keyCount)]")
        }
        if let scoreBias {
            ensure(scoreBias.shape == [heads, queries, keyCount] || scoreBias.shape == [queries, keyCount],
                   "attention: score bias \(scoreBias.shape) is neither [\(heads), \(queries), \(keyCount)] nor [\(queries), \(keyCount)]")
        }
        ensure(!GradMode.records([self, keys, values]),
               "attention: has no backward; inputs that require gradients go through softmax and matmul")
        let out = Tensor(uninitialized: shape)
        let maskTensor = additiveMask ?? Tensor.zeros([0]), biasTensor = scoreBias ?? Tensor.zeros([0])
        Tensor.withData(self, keys, values, out, maskTensor, biasTensor) { p in
            Kernels.attentionForward(p[0], p[1], p[2], p[3], batch: batch, heads: heads, queries: queries, keys: keyCount,
                                     headSize: width / heads, scale: scale, mask: additiveMask == nil ? nil : UnsafePointer(p[4]),
                                     maskPerQuery: perQuery, scoreBias: scoreBias == nil ? nil : UnsafePointer(p[5]),
                                     scoreBiasHeadStride: scoreBias?.rank == 3 ? queries * keyCount : 0)
        }
        return out
    }
}
