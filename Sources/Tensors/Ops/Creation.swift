import Foundation

/// Seeded random tensors (Philox streams, so every draw is reproducible from its seed).
extension Tensor {
    /// Uniform values in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let stream = generator.nextStream()
        Tensor.withData(t) { p in
            Philox.fillUniform(p[0], count: t.count, seed: generator.seed, stream: stream)
            Kernels.affine(p[0], p[0], t.count, scale: high - low, shift: low)
        }
        return t
    }

    /// Normally distributed values (Box-Muller over two uniform streams).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout RandomGenerator) -> Tensor {
        // The first stream is drawn into the result and the second a block at a time beside it:
        // whole tensors of both would triple the peak memory of drawing a large table (XLM-R's
        // 250,002 x 768 embeddings: 2.3 GB for 0.77 GB).
        let t = uniform(shape, generator: &generator)
        let (seed, second) = (generator.seed, generator.nextStream())
        let count = t.count, block = Swift.min(count, 1 << 18)
        Tensor.withData(t) { p in
            let out = p[0]
            withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { u2 in
                for start in stride(from: 0, to: count, by: block) {
                    let n = Swift.min(block, count - start)
                    Philox.fillUniform(u2.baseAddress!, count: n, first: start, seed: seed, stream: second)
                    Parallel.forRange(n, costPerItem: 50) { range in
                        for i in range {
                            let r = (-2 * Foundation.log(1 - out[start + i])).squareRoot()
                            out[start + i] = mean + std * r * Foundation.cos(2 * Float.pi * u2[i])
                        }
                    }
                }
            }
        }
        return t
    }

    /// Standard normal values from a fresh generator seeded with `seed`.
    public static func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return normal(shape, generator: &g)
    }

    /// Uniform `[0, 1)` values from a fresh generator seeded with `seed`.
    public static func rand(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return uniform(shape, generator: &g)
    }
}
