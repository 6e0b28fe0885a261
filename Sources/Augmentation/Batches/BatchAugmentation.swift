import Tensors

extension PaddedBatch {
    /// Applies `augmentation` to every row and re-pads: ids, attention mask and token types.
    ///
    /// Rows are augmented in order, so one `generator` gives one reproducible batch. Token types
    /// follow the segments, which separators delimit: the tokens up to and including the first
    /// `[SEP]` keep the type of the original first segment, and so on. Rows longer than
    /// `maxLength` lose content tokens from their end, never a special token, so the final `[SEP]`
    /// stays.
    ///
    /// ```swift
    /// let encoded = tokenizer.encodeBatch(sentences, maxLength: 32)
    /// let special = SpecialTokenIDs(tokenizer)
    /// var generator = RandomGenerator(seed: 7)
    /// let view = PaddedBatch(encoded, padID: special.padding)
    ///     .augmented(by: WordRepetition(), specialTokens: special, maxLength: 32, generator: &generator)
    /// ```
    public func augmented(
        by augmentation: some TokenAugmentation, specialTokens: SpecialTokenIDs, maxLength: Int? = nil,
        generator: inout RandomGenerator
    ) -> PaddedBatch {
        var rows: [[Int]] = [], types: [[Int]] = []
        for row in 0..<batchSize {
            let original = Array(ids(row: row))
            var view = augmentation.augment(original, isSpecial: specialTokens.contains, generator: &generator)
            if let maxLength { view = Self.truncated(view, to: maxLength, isSpecial: specialTokens.contains) }
            rows.append(view)
            types.append(Self.segmentTypes(
                of: view, like: original, types: Array(tokenTypeIDs(row: row)), separator: specialTokens.separator))
        }
        return PaddedBatch(rows: rows, tokenTypes: types, padID: specialTokens.padding)
    }

    /// `ids` without its last content tokens until it has at most `maxLength` tokens (or only
    /// specials are left).
    static func truncated(_ ids: [Int], to maxLength: Int, isSpecial: (Int) -> Bool) -> [Int] {
        var ids = ids
        var position = ids.count - 1
        while ids.count > maxLength, position >= 0 {
            if !isSpecial(ids[position]) { ids.remove(at: position) }
            position -= 1
        }
        return ids
    }

    /// Token types for `view`: segment `k` (the tokens after `k` separators, the closing one
    /// included) takes the type segment `k` had in `original`, the last original type beyond.
    static func segmentTypes(of view: [Int], like original: [Int], types: [Int], separator: Int) -> [Int] {
        var segmentTypes: [Int] = []
        var startsSegment = true
        for (id, type) in zip(original, types) {
            if startsSegment { segmentTypes.append(type) }
            startsSegment = id == separator
        }
        var result: [Int] = []
        result.reserveCapacity(view.count)
        var segment = 0
        for id in view {
            result.append(segmentTypes.isEmpty ? 0 : segmentTypes[min(segment, segmentTypes.count - 1)])
            if id == separator { segment += 1 }
        }
        return result
    }
}
