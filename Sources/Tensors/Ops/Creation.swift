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
        let u1 = uniform(shape, generator: &generator), u2 = uniform(shape, generator: &generator)
        let t = Tensor(uninitialized: shape)
        Tensor.withData(u1, u2, t) { p in
            for i in 0..<t.count {
                let r = (-2 * Foundation.log(1 - p[0][i])).squareRoot()
                p[2][i] = mean + std * r * Foundation.cos(2 * Float.pi * p[1][i])
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
