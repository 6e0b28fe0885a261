import Foundation
import Testing
@testable import Tensors

/// bf16 products on whatever CPU runs the suite: oneDNN's bf16 kernels where it has AVX512-BF16 or
/// AMX, rounded operands multiplied in fp32 elsewhere. Each test states the case it checked.
@Suite struct BFloat16ProductTests {
    /// Says on standard error which case a hardware-dependent test checked.
    func checked(_ what: String) {
        FileHandle.standardError.write(Data("BFloat16ProductTests: checked \(what) (oneDNN \(OneDNN.isa))\n".utf8))
    }

    func rounded(_ t: Tensor) -> Tensor {
        var out = [Float](repeating: 0, count: t.count)
        Kernels.roundToBFloat16(t.scalars, &out, t.count)
        return Tensor(out, shape: t.shape)
    }

    /// The largest difference between two products, relative to the larger's largest value.
    func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = max(a.scalars.map(abs).max() ?? 0, b.scalars.map(abs).max() ?? 0)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    /// The mode this machine must take: native exactly when oneDNN may use bf16 instructions
    /// (the first-use check passes on every such CPU this project supports).
    @Test func modeFollowsTheInstructionSet() {
        switch BFloat16Products.mode {
        case .native(let kernel):
            #expect(OneDNN.hasBFloat16Instructions)
            #expect(kernel.contains("bf16"), "a bf16 product ran on \(kernel)")
            checked("native bf16 products on \(kernel)")
        case .emulated(let reason):
            #expect(!OneDNN.hasBFloat16Instructions, "bf16 instructions are there, yet: \(reason)")
            checked("rounded-operand fallback (\(reason))")
        }
    }

    @Test(arguments: [false, true], [false, true])
    func productsRoundTheOperandsOnly(transposeSelf: Bool, transposeOther: Bool) {
        let a = Tensor.randn(transposeSelf ? [2, 40, 24] : [2, 24, 40], seed: 3)
        let shared = Tensor.randn(transposeOther ? [16, 40] : [40, 16], seed: 4)
        let batched = Tensor.randn(transposeOther ? [2, 16, 40] : [2, 40, 16], seed: 5)
        for (x, y) in [(a, shared), (a, batched), (a.slice(axis: 0, 0..<1).squeezed(axis: 0), shared)] {
            let product = { (x: Tensor, y: Tensor, precision: MatmulPrecision) in
                x.matmul(y, transposeSelf: transposeSelf, transposeOther: transposeOther, precision: precision)
            }
            let bf16 = product(x, y, .bf16), reference = product(rounded(x), rounded(y), .fp32)
            if BFloat16Products.mode.isNative {
                // Products of bf16 values are exact in fp32; only the accumulation order differs.
                #expect(relativeDifference(bf16, reference) < 1e-5)
            } else {
                #expect(bf16.scalars == reference.scalars, "the fallback is the fp32 product of rounded operands")
            }
            // ... and differs from the fp32 product (the rounding really happened).
            #expect(relativeDifference(bf16, product(x, y, .fp32)) > 1e-3)
        }
        checked(BFloat16Products.mode.isNative ? "bf16 kernels against rounded operands" : "rounded operands bit for bit")
    }

    /// Row strides (a product on part of a wider matrix) are packed away before a bf16 product.
    @Test func stridedOperandsAndOutput() {
        let (m, n, k, ld) = (8, 12, 20, 32)
        let a = Tensor.randn([m, ld], seed: 6), b = Tensor.randn([k, ld], seed: 7)
        let c = Tensor.zeros([m, ld]), expected = rounded(a.slice(axis: 1, 0..<k)).matmul(rounded(b.slice(axis: 1, 0..<n)))
        Tensor.withData(a, b, c) { p in
            GEMM.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, a: p[0], lda: ld, b: p[1], ldb: ld,
                          c: p[2], ldc: ld, precision: .bf16)
        }
        #expect(relativeDifference(c.slice(axis: 1, 0..<n), expected) < 1e-5)
        #expect(c.slice(axis: 1, n..<ld).scalars.allSatisfy { $0 == 0 }, "columns past n stay untouched")
    }

    /// A weight that keeps its bf16 copy gives the products of one that does not, before and after
    /// each kind of write, and the copy is made once per write, not once per product.
    @Test func keptCopiesAreTheProductsOperandsUntilTheNextWrite() throws {
        let x = Tensor.randn([2, 24, 40], seed: 8), weight = Tensor.randn([16, 40], seed: 9)
        weight.keepsBFloat16Copy = true
        let native = BFloat16Products.mode.isNative
        func expectSameProducts() {
            let fresh = weight.copy()
            #expect(!fresh.keepsBFloat16Copy)
            for transposeOther in [false, true] {
                let (input, w, freshW) = transposeOther ? (x, weight, fresh) : (x, weight.transposed(0, 1), fresh.transposed(0, 1))
                w.keepsBFloat16Copy = true
                let same = input.matmul(w, transposeOther: transposeOther, precision: .bf16).scalars
                    == input.matmul(freshW, transposeOther: transposeOther, precision: .bf16).scalars
                #expect(same, "transposeOther \(transposeOther)")
            }
            let bf16 = withMatmulPrecision(.bf16) { x.linear(weight: weight) }.scalars
            #expect(bf16 != x.linear(weight: weight).scalars, "rounded, not fp32")
            #expect(bf16 == withMatmulPrecision(.bf16) { x.linear(weight: fresh) }.scalars, "linear")
        }
        expectSameProducts()
        let copy = try #require(weight.storage.keptBFloat16Copy())
        #expect(weight.storage.keptBFloat16Copy() === copy, "kept between products")
        #expect(weight.detached().storage.keptBFloat16Copy() === copy, "shared with tensors on the same storage")
        weight.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] = w[i] * 1.7 + 0.01 } }
        #expect(weight.storage.keptBFloat16Copy() !== copy, "made again after a write")
        expectSameProducts()
        weight.assign(Tensor.randn([16, 40], seed: 10))
        expectSameProducts()
        checked(native ? "kept bf16 copies on the bf16 kernels" : "products without kept copies (the fallback)")
    }

    /// In inference a feed-forward block's activated result gets its bf16 copy in the pass that
    /// activates it (on oneDNN's bf16 kernels): the copy equals the conversion of the result, and
    /// the block's second product equals the one from a copy made by conversion.
    @Test(arguments: [Activation.gelu, .quickGelu])
    func activatedResultsKeepTheBFloat16CopyWrittenWithThem(activation: Activation) throws {
        let x = Tensor.randn([3, 10, 40], seed: 11), w1 = Tensor.randn([72, 40], seed: 12), b1 = Tensor.randn([72], seed: 13)
        let w2 = Tensor.randn([24, 72], seed: 14)
        let hidden = withoutGradient { withMatmulPrecision(.bf16) { x.linear(weight: w1, bias: b1, outputActivation: activation) } }
        let native = BFloat16Products.mode.isNative
        #expect(hidden.keepsBFloat16Copy == native, "a bf16 copy with the bf16 kernels only")
        let fresh = hidden.copy()
        #expect(!fresh.keepsBFloat16Copy)
        let output = withoutGradient { withMatmulPrecision(.bf16) { hidden.linear(weight: w2) } }.scalars
        #expect(output == withoutGradient { withMatmulPrecision(.bf16) { fresh.linear(weight: w2) } }.scalars)
        guard native else { return checked("activated results without bf16 copies (the fallback)") }
        let copy = try #require(hidden.storage.keptBFloat16Copy())
        let written = UnsafeRawPointer(copy.base).bindMemory(to: UInt16.self, capacity: hidden.count)
        var converted = [UInt16](repeating: 0, count: hidden.count)
        hidden.withUnsafeBufferPointer { Kernels.convertToBFloat16($0.baseAddress!, &converted, hidden.count) }
        #expect(Array(UnsafeBufferPointer(start: written, count: hidden.count)) == converted)
        checked("activated results' bf16 copies on the bf16 kernels")
    }

    @Test func verdictAcceptsOnlyRoundedOperandProductsOnNamedKernels() {
        let rounded: [Double] = [1, 2, 3], fp32: [Double] = [1.01, 2.01, 3.01]
        #expect(BFloat16Products.verdict(kernel: "brg:avx512_core_bf16", result: [1, 2, 3], roundedReference: rounded, fp32Reference: fp32)
                == .native(kernel: "brg:avx512_core_bf16"))
        // The fp32 product under a bf16 name: what oneDNN 2.6's fp-math hint gave on AVX512-BF16 CPUs.
        #expect(!BFloat16Products.verdict(kernel: "brg:avx512_core", result: [1.01, 2.01, 3.01], roundedReference: rounded, fp32Reference: fp32).isNative)
        // The right numbers from the reference implementation: correct but far too slow.
        #expect(!BFloat16Products.verdict(kernel: "ref:any", result: [1, 2, 3], roundedReference: rounded, fp32Reference: fp32).isNative)
        #expect(!BFloat16Products.verdict(kernel: "brg:avx512_core_bf16", result: [1, 2, 3.5], roundedReference: rounded, fp32Reference: fp32).isNative)
    }
}
