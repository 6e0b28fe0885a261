import Foundation
import Testing
@testable import Tensors

/// Forward values against plain Float64 references, at sizes large enough to take the parallel path.
@Suite struct KernelAccuracyTests {
    func maxError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { Swift.abs(Double($0) - $1) }.max() ?? 0
    }

    @Test func fastExpRelativeError() {
        var worst = 0.0
        for i in 0...200_000 {
            let x = Float(-87.0 + 175.0 * Double(i) / 200_000)
            let exact = Foundation.exp(Double(x))
            worst = Swift.max(worst, Swift.abs(Double(FastMath.exp(x)) - exact) / exact)
        }
        #expect(worst < 5e-7)
        #expect(FastMath.exp(-.infinity) == 0)
        #expect(FastMath.exp(-1000) == 0)
        #expect(FastMath.exp(0) == 1)
    }

    @Test func fastErfAbsoluteError() {
        var worst = 0.0
        for i in 0...200_000 {
            let x = Float(-6.0 + 12.0 * Double(i) / 200_000)
            worst = Swift.max(worst, Swift.abs(Double(FastMath.erf(x)) - Foundation.erf(Double(x))))
        }
        #expect(worst < 5e-7)
    }

    @Test func geluMatchesErfDefinition() {
        let x = Tensor.randn([300, 257], seed: 1).affine(scale: 3)
        let reference = x.scalars.map { v -> Double in let d = Double(v); return 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot())) }
        #expect(maxError(x.gelu().scalars, reference) < 2e-6)
    }

    @Test func softmaxAndLogSoftmax() {
        let rows = 300, n = 513
        let x = Tensor.randn([rows, n], seed: 2).affine(scale: 5)
        let v = x.scalars
        var soft = [Double](), logSoft = [Double]()
        for r in 0..<rows {
            let row = v[(r * n)..<((r + 1) * n)].map(Double.init)
            let m = row.max()!
            let s = row.map { Foundation.exp($0 - m) }.reduce(0, +)
            soft += row.map { Foundation.exp($0 - m) / s }
            logSoft += row.map { $0 - m - Foundation.log(s) }
        }
        #expect(maxError(x.softmax().scalars, soft) < 3e-6)
        #expect(maxError(x.logSoftmax().scalars, logSoft) < 1e-5)
    }

    @Test func layerNormMatchesDefinition() {
        let rows = 200, n = 384
        let x = Tensor.randn([rows, n], seed: 3).affine(scale: 2, shift: 1)
        let w = Tensor.randn([n], seed: 4), b = Tensor.randn([n], seed: 5)
        let v = x.scalars, wv = w.scalars, bv = b.scalars
        var expected = [Double]()
        for r in 0..<rows {
            let row = v[(r * n)..<((r + 1) * n)].map(Double.init)
            let mean = row.reduce(0, +) / Double(n)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
            expected += row.enumerated().map { j, e in (e - mean) / (variance + 1e-12).squareRoot() * Double(wv[j]) + Double(bv[j]) }
        }
        #expect(maxError(x.layerNorm(weight: w, bias: b, eps: 1e-12).scalars, expected) < 2e-5)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaive(transposeA: Bool, transposeB: Bool) {
        let m = 37, k = 53, n = 29, batch = 3
        let a = Tensor.randn(transposeA ? [batch, k, m] : [batch, m, k], seed: 6)
        let b = Tensor.randn(transposeB ? [batch, n, k] : [batch, k, n], seed: 7)
        let av = a.scalars, bv = b.scalars
        var expected = [Double](repeating: 0, count: batch * m * n)
        for p in 0..<batch {
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for l in 0..<k {
                        let x = transposeA ? av[p * m * k + l * m + i] : av[p * m * k + i * k + l]
                        let y = transposeB ? bv[p * k * n + j * k + l] : bv[p * k * n + l * n + j]
                        s += Double(x) * Double(y)
                    }
                    expected[(p * m + i) * n + j] = s
                }
            }
        }
        let c = a.matmul(b, transposeSelf: transposeA, transposeOther: transposeB)
        #expect(c.shape == [batch, m, n])
        #expect(maxError(c.scalars, expected) < 1e-4)
        // The same products one matrix at a time through the 2-D path.
        let first = a.slice(axis: 0, 0..<1).squeezed(axis: 0).matmul(b.slice(axis: 0, 0..<1).squeezed(axis: 0), transposeSelf: transposeA, transposeOther: transposeB)
        #expect(maxError(first.scalars, Array(expected[0..<(m * n)])) < 1e-4)
    }

    @Test func batchedLoopAgreesWithPrimitive() {
        let a = Tensor.randn([64, 32, 32], seed: 8), b = Tensor.randn([64, 32, 32], seed: 9)
        let viaPrimitive = a.matmul(b, transposeOther: true)
        let viaLoop = Tensor.zeros([64, 32, 32])
        Tensor.withData(a, b, viaLoop) { p in
            GEMM.batchedByLoop(batch: 64, transposeA: false, transposeB: true, m: 32, n: 32, k: 32, a: p[0], strideA: 1024, b: p[1], strideB: 1024, c: p[2])
        }
        #expect(maxError(viaPrimitive.scalars, viaLoop.scalars.map(Double.init)) < 1e-4)
    }

    @Test func reductionsAlongMiddleAxis() {
        let x = Tensor.randn([40, 50, 30], seed: 10)
        let v = x.scalars
        var sums = [Double](), maxima = [Double](), lse = [Double]()
        for o in 0..<40 {
            for i in 0..<30 {
                let column = (0..<50).map { Double(v[(o * 50 + $0) * 30 + i]) }
                sums.append(column.reduce(0, +))
                maxima.append(column.max()!)
                let m = column.max()!
                lse.append(m + Foundation.log(column.map { Foundation.exp($0 - m) }.reduce(0, +)))
            }
        }
        #expect(maxError(x.sum(axis: 1).scalars, sums) < 1e-4)
        #expect(maxError(x.max(axis: 1).scalars, maxima) == 0)
        #expect(maxError(x.logSumExp(axis: 1).scalars, lse) < 1e-5)
    }

    @Test(arguments: [1, 3])
    func columnSumsOfEveryWidth(outer: Int) {
        // 77 columns: two blocks of 32, one of 8, five single ones; one outer block is a bias gradient.
        let x = Tensor.randn([outer, 300, 77], seed: 12)
        let v = x.scalars
        let sums = (0..<(outer * 77)).map { oi in (0..<300).map { Double(v[((oi / 77) * 300 + $0) * 77 + oi % 77]) }.reduce(0, +) }
        #expect(maxError(x.sum(axis: 1).scalars, sums) < 1e-4)
    }

    @Test func adamWUpdateLanesMatchTheScalarFormula() {
        // 37 parameters: four eight-lane blocks and a tail of five, bit for bit as one element at a time.
        let count = 37
        var p = Tensor.randn([count], seed: 13).scalars, m = Tensor.randn([count], seed: 14).scalars.map { $0 * 0.1 }
        var v = Tensor.randn([count], seed: 15).scalars.map { $0 * $0 * 0.01 }
        let g = Tensor.randn([count], seed: 16).scalars
        let (beta1, beta2, eps, decay, stepSize, correction2): (Float, Float, Float, Float, Float, Float) = (0.9, 0.999, 1e-8, 0.9999, 1e-3, 0.0447)
        var (ep, em, ev) = (p, m, v)
        for i in 0..<count {
            em[i] += (1 - beta1) * (g[i] - em[i])
            ev[i] = ev[i] * beta2 + (1 - beta2) * g[i] * g[i]
            ep[i] = ep[i] * decay - stepSize * (em[i] / (ev[i].squareRoot() / correction2 + eps))
        }
        g.withUnsafeBufferPointer { g in
            Kernels.adamWUpdate(&p, g.baseAddress!, expAvg: &m, expAvgSq: &v, count: count, beta1: beta1, beta2: beta2, eps: eps,
                                decay: decay, stepSize: stepSize, correction2: correction2)
        }
        #expect(p == ep && m == em && v == ev)
    }

    @Test func permuteMovesEveryElement() {
        let shape = [4, 33, 12, 32]
        let x = Tensor.arange(0, Float(shape.reduce(1, *))).reshaped(shape)
        let y = x.permuted([0, 2, 1, 3])
        #expect(y.shape == [4, 12, 33, 32])
        let yv = y.scalars
        var ok = true
        for a in 0..<4 { for b in 0..<12 { for c in 0..<33 { for d in 0..<32 {
            let expected = Float(((a * 33 + c) * 12 + b) * 32 + d)
            if yv[((a * 12 + b) * 33 + c) * 32 + d] != expected { ok = false }
        } } } }
        #expect(ok)
    }

    @Test func broadcastFastPathsAgreeWithExpansion() {
        let a = Tensor.randn([64, 32, 384], seed: 11), bias = Tensor.randn([384], seed: 12), column = Tensor.randn([64, 32, 1], seed: 13)
        let direct = (a + bias).scalars
        let viaExpand = (a + bias.expanded(to: a.shape)).scalars
        #expect(direct == viaExpand)
        let left = (bias * a).scalars, right = (a * bias).scalars
        #expect(left == right)
        #expect((a / column).scalars == (a / column.expanded(to: a.shape)).scalars)
    }

    @Test func crossEntropyMatchesDefinition() {
        let logits = Tensor.randn([100, 1000], seed: 14).affine(scale: 4)
        let targets = (0..<100).map { ($0 * 37) % 1000 }
        let v = logits.scalars
        var total = 0.0
        for r in 0..<100 {
            let row = v[(r * 1000)..<((r + 1) * 1000)].map(Double.init)
            let m = row.max()!
            total += m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +)) - row[targets[r]]
        }
        #expect(Swift.abs(Double(logits.crossEntropy(targets: targets).item) - total / 100) < 1e-5)
    }

    @Test func l2NormalizedRowsHaveUnitNorm() {
        let x = Tensor.randn([500, 384], seed: 15)
        let y = x.l2Normalized().scalars
        for r in stride(from: 0, to: 500, by: 50) {
            let norm = y[(r * 384)..<((r + 1) * 384)].map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
            #expect(Swift.abs(norm - 1) < 1e-6)
        }
        #expect(Tensor.zeros([2, 3]).l2Normalized().scalars.allSatisfy { $0 == 0 })
    }
}

extension KernelAccuracyTests {
    /// `[batch, heads, queries, keys]`; odd shapes put thread chunk boundaries inside a sequence.
    @Test(arguments: [[16, 12, 32, 32], [7, 5, 33, 40], [9, 3, 17, 13]])
    func maskedSoftmaxEqualsSoftmaxOfMaskedScores(shape: [Int]) {
        let (batch, keys) = (shape[0], shape[3])
        let x = Tensor.randn(shape, seed: 16)
        let maskValues = (0..<(batch * keys)).map { ($0 % keys) >= keys * 5 / 8 + ($0 / keys) % (keys / 3) ? Float(-1e30) : 0 }
        let mask = Tensor(maskValues, shape: [batch, keys])
        let fused = x.softmax(scale: 0.125, additiveMask: mask)
        let reference = (x * 0.125 + mask.reshaped([batch, 1, 1, keys])).softmax()
        #expect(maxError(fused.scalars, reference.scalars.map(Double.init)) < 1e-6)
        let perSequence = shape[1] * shape[2] * keys
        // Masked keys get exactly zero probability.
        #expect(fused.scalars.enumerated().allSatisfy { maskValues[($0.offset / perSequence) * keys + $0.offset % keys] == 0 || $0.element == 0 })
    }
}

extension KernelAccuracyTests {
    /// A `[batch, queries, keys]` mask (a causal one combined with padding) is read per query
    /// position and shared by the heads; odd shapes put thread chunk boundaries inside a block.
    @Test(arguments: [[4, 8, 77, 77], [3, 5, 9, 9], [2, 3, 7, 11]])
    func perQueryMaskedSoftmaxEqualsSoftmaxOfMaskedScores(shape: [Int]) {
        let (batch, queries, keys) = (shape[0], shape[2], shape[3])
        let x = Tensor.randn(shape, seed: 17)
        let maskValues = (0..<(batch * queries * keys)).map { i -> Float in
            let (b, q, k) = (i / (queries * keys), (i / keys) % queries, i % keys)
            return k > q + b || k == keys - 1 - b ? -Float.greatestFiniteMagnitude : 0
        }
        let mask = Tensor(maskValues, shape: [batch, queries, keys])
        let fused = x.softmax(scale: 0.125, additiveMask: mask)
        let reference = (x * 0.125 + Tensor(maskValues.map { max($0, -1e30) }, shape: [batch, 1, queries, keys])).softmax()
        #expect(maxError(fused.scalars, reference.scalars.map(Double.init)) < 1e-6)
    }

    @Test func quickGeluMatchesItsDefinition() {
        let x = Tensor.randn([300, 257], seed: 3).affine(scale: 4)
        let reference = x.scalars.map { v -> Double in let d = Double(v); return d / (1 + Foundation.exp(-1.702 * d)) }
        #expect(maxError(x.quickGelu().scalars, reference) < 2e-6)
        #expect(maxError(Activation.quickGelu(x).scalars, reference) < 2e-6)
    }
}

extension KernelAccuracyTests {
    @Test func bfloat16RoundingTiesToEvenAndKeepsSpecials() {
        // bf16 keeps 7 mantissa bits: its step at 1 is 1/128.
        let values: [Float] = [1, 1 + 1.0 / 256, 1 + 3.0 / 256, 1 + 1.0 / 256 + 1.0 / 65536, -2.5,
                               .infinity, -.infinity, 0, Float(bitPattern: 0x7F80_0001)]
        var rounded = [Float](repeating: 0, count: values.count)
        Kernels.roundToBFloat16(values, &rounded, values.count)
        // Halfway cases go to the even neighbour (1, and 1 + 2/128); just above half rounds up.
        let expected: [Float] = [1, 1, 1 + 2.0 / 128, 1 + 1.0 / 128, -2.5]
        #expect(Array(rounded[0..<5]) == expected)
        for (x, y) in zip(values, rounded) where x.isFinite {
            // A bf16 value has a zero low half and lies within half a step (2^-8 relative) of x.
            #expect(y.bitPattern & 0xFFFF == 0)
            #expect(abs(y - x) <= abs(x) / 256)
        }
        #expect(rounded[5] == .infinity && rounded[6] == -.infinity && rounded[7] == 0 && rounded[8].isNaN)
    }

    /// The vector loops of both bf16 kernels (8 and 16 lanes) and their scalar tails against the
    /// definition, with ties, NaNs with payloads in either half, infinities, denormals and the
    /// largest float (which rounds to infinity) in every lane position.
    @Test func bfloat16KernelsRoundEveryLaneAsTheDefinition() {
        let specials: [UInt32] = [0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0x7F80_0001, 0xFF80_0001, 0x7FC0_0000, 0x7F81_0000,
                                  0x7F80_0000, 0xFF80_0000, 0x0000_0001, 0x8000_8000, 0x007F_FFFF, 0x7F7F_FFFF, 0xC020_0000, 0, 0x8000_0000]
        var generator = SystemRandomNumberGenerator()
        let bits = (0..<1_003).map { i in i % 3 == 0 ? specials[(i / 3) % specials.count] : UInt32.random(in: .min ... .max, using: &generator) }
        func reference(_ b: UInt32) -> UInt32 {
            if b & 0x7FFF_FFFF > 0x7F80_0000 { return (b | 0x0040_0000) & 0xFFFF_0000 }
            return (b &+ 0x7FFF &+ ((b >> 16) & 1)) & 0xFFFF_0000
        }
        let x = bits.map { Float(bitPattern: $0) }
        var rounded = [Float](repeating: 0, count: x.count), converted = [UInt16](repeating: 0, count: x.count)
        Kernels.roundToBFloat16(x, &rounded, x.count)
        Kernels.convertToBFloat16(x, &converted, x.count)
        let wrongRounded = zip(bits, rounded).filter { reference($0) != $1.bitPattern }.count
        let wrongConverted = zip(bits, converted).filter { reference($0) >> 16 != UInt32($1) }.count
        #expect(wrongRounded == 0 && wrongConverted == 0, "\(wrongRounded) rounded and \(wrongConverted) converted of \(x.count) differ")
        #expect(rounded[12 * 3].isInfinite, "the largest float rounds to infinity")
    }
}
