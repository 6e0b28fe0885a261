import Foundation
import TestSupport
import Tensors
@testable import NeuralNetworks

/// A module tree shaped like a slice of Hugging Face BERT, for naming tests.
final class TinyAttention: Module {
    let query: Linear
    let norm: LayerNorm
    init(width: Int, generator: inout RandomGenerator) {
        query = Linear(inputSize: width, outputSize: width, generator: &generator)
        norm = LayerNorm(dimension: width, eps: 1e-12)
        super.init()
        let selfAttention = Module()
        selfAttention.register(child: query, as: "query")
        register(child: selfAttention, as: "self")
        register(child: norm, as: "LayerNorm")
    }
}

final class TinyEncoder: Module {
    let layers: [TinyAttention]
    init(width: Int = 3, depth: Int = 2, seed: UInt64 = 0) {
        var g = RandomGenerator(seed: seed)
        layers = (0..<depth).map { _ in TinyAttention(width: width, generator: &g) }
        super.init()
        let encoder = Module()
        encoder.register(children: layers, as: "layer")
        register(child: encoder, as: "encoder")
    }
}

/// `a` and `b` agree elementwise within `tolerance` (absolute plus relative).
func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * (1 + abs($1)) }
}

/// Central differences of the scalar `f` with respect to each element of `x`, in place.
func numericalGradient(of x: Tensor, step: Float = 1e-2, _ f: () -> Float) -> [Float] {
    (0..<x.count).map { i in
        let original = x.scalars[i]
        x.withUnsafeMutableBufferPointer { $0[i] = original + step }
        let up = f()
        x.withUnsafeMutableBufferPointer { $0[i] = original - step }
        let down = f()
        x.withUnsafeMutableBufferPointer { $0[i] = original }
        return (up - down) / (2 * step)
    }
}

/// A fresh path in the test process's temporary folder (removed when the tests end).
func temporaryPath(_ name: String) -> String {
    TestPaths.temporaryPath(name).path
}
