import Foundation
import Tensors

/// Rotary position embeddings (RoFormer), laid out as Hugging Face's `rotate_half`: a head's
/// vector of `headSize` is cut in two halves, and each pair `(x[i], x[i + headSize/2])` turns by
/// the angle `position · base^(-2i/headSize)`. Queries and keys so rotated have products that
/// depend on their positions only through the offset between them.
///
/// ```swift
/// let rotary = RotaryEmbedding(headSize: 64, base: 160_000)
/// let angles = rotary.angles(positions: 0..<tokens)   // once per forward
/// let q = angles.rotate(queries)                      // [batch, heads, tokens, 64]
/// ```
public struct RotaryEmbedding: Sendable {
    public let headSize: Int
    /// θ of the frequencies `θ^(-2i/headSize)` (`rope_theta`).
    public let base: Double

    public init(headSize: Int, base: Double) {
        ensure(headSize > 0 && headSize % 2 == 0, "RotaryEmbedding: head size \(headSize) is not a positive even number")
        ensure(base > 0, "RotaryEmbedding: base \(base) is not positive")
        self.headSize = headSize
        self.base = base
    }

    /// The rotation of each position of `positions`.
    public func angles(positions: Range<Int>) -> Angles {
        let half = headSize / 2
        // In Float, as transformers computes its tables (inverse frequencies, their products with
        // the positions, then cos and sin), so that both round alike.
        let inverseFrequencies = (0..<half).map { i in 1 / Foundation.pow(Float(base), Float(2 * i) / Float(headSize)) }
        var cos = [Float](), sin = [Float]()
        cos.reserveCapacity(positions.count * headSize)
        sin.reserveCapacity(positions.count * headSize)
        for position in positions {
            let angles = inverseFrequencies.map { Float(position) * $0 }
            let c = angles.map { Foundation.cos($0) }, s = angles.map { Foundation.sin($0) }
            cos += c + c
            sin += s.map { -$0 } + s
        }
        return Angles(cos: Tensor(cos, shape: [positions.count, headSize]), sin: Tensor(sin, shape: [positions.count, headSize]))
    }

    /// The cosines and sines of the angles of some positions.
    public struct Angles {
        /// `[positions, headSize]`: the cosine of each pair's angle, over both halves.
        public let cos: Tensor
        /// `[positions, headSize]`: the sine of each pair's angle, negated over the first half, so
        /// that a rotation is `x · cos + swapped halves of x · sin`.
        public let sin: Tensor

        /// `x` (`[..., positions, headSize]`) rotated: `x · cos + rotate_half(x) · sin`, where
        /// `rotate_half` is `(-x₂, x₁)` for the halves `(x₁, x₂)`. Differentiable in `x`.
        public func rotate(_ x: Tensor) -> Tensor {
            ensure(x.rank >= 2 && Array(x.shape.suffix(2)) == cos.shape,
                   "RotaryEmbedding: input \(x.shape) does not end in [positions, headSize] \(cos.shape)")
            let last = x.rank - 1, half = cos.shape[1] / 2
            let swapped = Tensor.concat([x.slice(axis: last, half..<(2 * half)), x.slice(axis: last, 0..<half)], axis: last)
            return x * cos + swapped * sin
        }

        /// The angles of `range`, a part of these positions (counted from the first of them).
        public func positions(_ range: Range<Int>) -> Angles {
            Angles(cos: cos.slice(axis: 0, range), sin: sin.slice(axis: 0, range))
        }
    }
}
