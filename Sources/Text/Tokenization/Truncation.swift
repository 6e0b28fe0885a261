/// Truncation as `tokenizers` does it for transformers' default strategy, "longest first".
enum Truncation {
    /// How many tokens of each sequence (one, or a pair) to keep so that together they fit in
    /// `capacity`. A single sequence keeps its first `capacity` tokens. A pair that does not fit
    /// keeps the shorter sequence whole when the longer can still have as much, else cuts both to
    /// half the capacity, the second sequence taking the odd token (the first when it is the
    /// longer) — `tokenizers`' rule, which differs from Python's one-token-at-a-time removal on ties.
    static func keptLengths(_ counts: [Int], capacity: Int) -> [Int] {
        guard counts.count == 2, counts[0] + counts[1] > capacity else { return counts.map { min($0, capacity) } }
        let swapped = counts[0] > counts[1]
        var shorter = min(counts[0], counts[1]), longer: Int
        longer = shorter > capacity ? shorter : max(shorter, capacity - shorter)
        if shorter + longer > capacity {
            shorter = capacity / 2
            longer = shorter + capacity % 2
        }
        let kept = swapped ? [longer, shorter] : [shorter, longer]
        return zip(counts, kept).map { min($0, $1) }
    }
}
