import Tensors

/// Timings of the objectives for the command-line tool's `bench` commands (not tests: numbers
/// about speed come from release builds).
public enum ObjectiveBenchmarks {
    /// Median seconds of InfoNCE forward + backward and of the matrix products inside it.
    public struct InfoNCETiming: Sendable {
        /// Rows per view.
        public let n: Int
        /// Embedding width.
        public let d: Int
        /// The whole step: cosine InfoNCE forward and backward to both views.
        public let forwardBackwardSeconds: Double
        /// The three `[n, n, d]` products it contains alone: `z1 z2ᵀ`, `G z2` and `Gᵀ z1`.
        public let matmulSeconds: Double

        /// Floating-point operations of the three products, `3 · 2 n² d`.
        public var matmulFlops: Double { 6 * Double(n) * Double(n) * Double(d) }
        /// The share of the step spent outside the products (normalisation, softmax, cross-entropy).
        public var overheadFraction: Double { 1 - matmulSeconds / forwardBackwardSeconds }
    }

    /// Times one-way cosine InfoNCE at `n x d` over `iterations` runs after one warm-up, and the
    /// same shapes' matrix products alone, so the caller can print both.
    public static func infoNCE(n: Int = 4096, d: Int = 768, temperature: Float = 0.05, iterations: Int = 5, seed: UInt64 = 0) -> InfoNCETiming {
        ensure(n > 0 && d > 0 && iterations > 0, "ObjectiveBenchmarks.infoNCE: n \(n), d \(d) and iterations \(iterations) must be positive")
        let z1 = Tensor.randn([n, d], seed: seed).requiringGradient()
        let z2 = Tensor.randn([n, d], seed: seed + 1).requiringGradient()
        let loss = InfoNCELoss(temperature: .fixed(temperature))
        let step = Stopwatch.median(warmup: 1, repeats: iterations) {
            z1.zeroGrad()
            z2.zeroGrad()
            loss(queries: z1, keys: z2).backward()
        }
        let a = Tensor.randn([n, d], seed: seed + 2), b = Tensor.randn([n, d], seed: seed + 3)
        let g = Tensor.randn([n, n], seed: seed + 4)
        let products = Stopwatch.median(warmup: 1, repeats: iterations) {
            _ = a.matmul(b, transposeOther: true)
            _ = g.matmul(b)
            _ = g.matmul(a, transposeSelf: true)
        }
        return InfoNCETiming(n: n, d: d, forwardBackwardSeconds: step, matmulSeconds: products)
    }
}
