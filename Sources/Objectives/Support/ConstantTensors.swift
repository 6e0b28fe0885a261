import Tensors

/// Constant (gradient-free) tensors that objectives build from index patterns.
extension Tensor {
    /// A `[rows, columns]` tensor holding `value(i, j)` at every position.
    static func constant(rows: Int, columns: Int, _ value: (Int, Int) -> Float) -> Tensor {
        var values = [Float](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns { values[i * columns + j] = value(i, j) }
        }
        return Tensor(values, shape: [rows, columns])
    }

    /// A `[rows, columns]` mask: 1 where `isSet(i, j)`, else 0.
    static func mask(rows: Int, columns: Int, _ isSet: (Int, Int) -> Bool) -> Tensor {
        constant(rows: rows, columns: columns) { isSet($0, $1) ? 1 : 0 }
    }
}

/// A finite logit that removes a column from a softmax (its weight underflows to exactly 0)
/// without the `0 · -inf = NaN` that `-inf` produces in soft-target cross-entropies.
let excludedLogit: Float = -1e9
