import Foundation
import Tensors

/// Uniformity (Wang & Isola 2020): `log mean_{i<j} exp(-t ‖x̂_i - x̂_j‖²)` over L2-normalised
/// embeddings; lower (more negative) is more uniform on the sphere. A differentiable loss, and a
/// dataset metric.
///
/// Rows are processed in blocks of `chunkRows` against the rows after them, each block reduced to
/// its log-sum-exp at once, so 10k embeddings never need a 10k × 10k matrix; the blocks' values
/// combine exactly (a log-sum-exp of log-sum-exps).
///
/// ```swift
/// let uniform = Uniformity()                        // t = 2
/// let loss = uniform.loss(z)
/// let value = uniform.metric(allSentenceEmbeddings)  // no gradient, blockwise
/// ```
public struct Uniformity: Sendable {
    /// The kernel's scale `t`.
    public var t: Float
    /// Rows per block (memory is about `chunkRows × N` floats per intermediate).
    public var chunkRows: Int

    /// Creates the objective with scale `t` (2 in the paper).
    public init(t: Float = 2, chunkRows: Int = 512) {
        ensure(t > 0 && chunkRows > 0, "Uniformity: t \(t) and chunk size \(chunkRows) must be positive")
        self.t = t
        self.chunkRows = chunkRows
    }

    /// The uniformity of `x` (`[N, d]`, `N ≥ 2`), differentiable.
    public func loss(_ x: Tensor) -> Tensor {
        ensure(x.rank == 2 && x.shape[0] >= 2, "Uniformity: embeddings must be [N, d] with N ≥ 2, got \(x.shape)")
        let n = x.shape[0]
        let z = x.l2Normalized()
        let squared = SquaredEuclideanDistance()
        // Row n - 1 has no partner after it, so blocks cover rows 0..<n-1.
        let blocks = stride(from: 0, to: n - 1, by: chunkRows).map { start -> Tensor in
            let end = Swift.min(start + chunkRows, n - 1)
            let rows = z.slice(axis: 0, start..<end), columns = z.slice(axis: 0, start..<n)
            let exponents = squared.pairwise(rows, columns) * -t
            // Block entry (a, b) is the pair (start + a, start + b): keep b > a only.
            let lower = Tensor.mask(rows: end - start, columns: n - start) { a, b in b <= a }
            return exponents.maskedFill(lower, -.infinity).reshaped([-1]).logSumExp(axis: 0)
        }
        let pairs = Double(n) * Double(n - 1) / 2
        return Tensor.stack(blocks).logSumExp(axis: 0) - Float(Foundation.log(pairs))
    }

    /// The uniformity of a whole dataset of embeddings, without gradient.
    public func metric(_ x: Tensor) -> Float { withoutGradient { loss(x).item } }
}
