import Foundation
import Testing
@testable import Tensors

/// Every layout of product the engine makes runs on one of oneDNN's optimised kernels, never its
/// reference implementation (`ref:`, hundreds of times slower), at oneDNN's instruction set of the
/// run (CI runs this suite at the CPU's best and capped with `DNNL_MAX_CPU_ISA=AVX2`).
@Suite struct MatmulKernelTests {
    /// The attention-, linear- and gradient-shaped products of a MiniLM step (64 x 32 tokens,
    /// hidden 384, 12 heads of 32), each transposition, with either side shared by the batch.
    @Test(arguments: MatmulPrecision.allCases)
    func noProductRunsOnReferenceCode(precision: MatmulPrecision) {
        let shapes: [(batch: Int, m: Int, n: Int, k: Int)] = [(1, 2048, 1536, 384), (1, 2048, 384, 1536), (768, 32, 32, 32), (12, 32, 384, 32)]
        var kernels = Set<String>()
        for s in shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for shared in [nil, 0, 1] as [Int?] where s.batch > 1 || shared == nil {
                        let batchA = shared == 0 || s.batch == 1 ? [] : [s.batch], batchB = shared == 1 || s.batch == 1 ? [] : [s.batch]
                        let a = Tensor.randn(batchA + (transposeA ? [s.k, s.m] : [s.m, s.k]), seed: 1)
                        let b = Tensor.randn(batchB + (transposeB ? [s.n, s.k] : [s.k, s.n]), seed: 2)
                        let (_, names) = GEMM.recordingImplementations {
                            a.matmul(b, transposeSelf: transposeA, transposeOther: transposeB, precision: precision)
                        }
                        let report = KernelReport(names)
                        #expect(report.referenceImplementations.isEmpty,
                                "\(precision) \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "") ran \(report.kernels) at \(report.isa)")
                        kernels.formUnion(names)
                    }
                }
            }
        }
        FileHandle.standardError.write(Data("MatmulKernelTests: \(precision) products ran \(kernels.sorted()) at oneDNN \(OneDNN.isa)\n".utf8))
    }

    /// Linear products that narrow (`k > n`) or have few rows (and `k` ≥ 256) run on the matmul
    /// primitive, where `dnnl_sgemm` packs the transposed weight slowly; the others, and products
    /// inside a parallel region, on `dnnl_sgemm`. Both give the values of the definition, with and
    /// without accumulating into the result (a residual).
    @Test(arguments: [(256, 96, 512, true), (40, 384, 256, true), (1024, 384, 128, false), (128, 128, 64, false)])
    func linearProductsRunWhereTheyAreFastestWithTheSameValues(m: Int, n: Int, k: Int, primitive: Bool) {
        let x = Tensor.randn([m, k], seed: 4), w = Tensor.randn([n, k], seed: 5), residual = Tensor.randn([m, n], seed: 6)
        let (xs, ws, rs) = (x.scalars, w.scalars, residual.scalars)
        let expected = (0..<m * n).map { index in
            let (i, j) = (index / n, index % n)
            return (0..<k).reduce(0.0) { $0 + Double(xs[i * k + $1]) * Double(ws[j * k + $1]) }
        }
        for accumulating in [false, true] {
            let (result, names) = GEMM.recordingImplementations { () -> Tensor in
                let c = accumulating ? Tensor(residual.scalars, shape: [m, n]) : Tensor.zeros([m, n])
                Tensor.withData(x, w, c) { p in
                    GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, a: p[0], lda: k, b: p[1], ldb: k,
                                  beta: accumulating ? 1 : 0, c: p[2], ldc: n)
                }
                return c
            }
            #expect(names.contains("dnnl_sgemm") != primitive, "[\(m) x \(k)] · [\(n) x \(k)]ᵀ ran \(names.sorted())")
            let error = zip(result.scalars, expected.indices).map { abs(Double($0) - expected[$1] - (accumulating ? Double(rs[$1]) : 0)) }.max() ?? 0
            #expect(error < 1e-3, "[\(m) x \(k)] · [\(n) x \(k)]ᵀ\(accumulating ? " + residual" : ""): error \(error)")
        }
        // Inside a parallel region (one thread's share of a kernel), dnnl_sgemm.
        var inside = [Bool](repeating: true, count: Parallel.threadCount)
        inside.withUnsafeMutableBufferPointer { flags in
            Parallel.forChunks(Parallel.threadCount, costPerItem: 1 << 20) { chunk, _ in
                flags[chunk] = GEMM.prefersMatmulPrimitive(transposeA: false, transposeB: true, m: m, n: n, k: k, lda: k, ldb: k)
            }
        }
        #expect(Parallel.threadCount == 1 || !inside.contains(true))
    }

    /// Weights up to 640 wide that do not narrow, under many rows, are multiplied untransposed
    /// from a kept copy, where `dnnl_sgemm` is faster so; wider, narrowing or few-row products,
    /// and those inside a parallel region, are not.
    @Test func squareishWeightsUnderManyRowsAreMultipliedUntransposed() {
        func prefers(_ m: Int, _ n: Int, _ k: Int) -> Bool {
            GEMM.prefersUntransposedWeight(transposeA: false, transposeB: true, m: m, n: n, k: k, lda: k, ldb: k)
        }
        #expect(prefers(2048, 384, 384) && prefers(4096, 512, 512) && prefers(1024, 640, 256))
        #expect(!prefers(2048, 768, 768) && !prefers(2048, 1536, 384) && !prefers(2048, 128, 384) && !prefers(512, 384, 384))
        #expect(!GEMM.prefersUntransposedWeight(transposeA: false, transposeB: false, m: 2048, n: 384, k: 384, lda: 384, ldb: 384))
        var inside = [Bool](repeating: true, count: Parallel.threadCount)
        inside.withUnsafeMutableBufferPointer { flags in
            Parallel.forChunks(Parallel.threadCount, costPerItem: 1 << 20) { chunk, _ in flags[chunk] = prefers(2048, 384, 384) }
        }
        #expect(Parallel.threadCount == 1 || !inside.contains(true))
    }

    /// A weight that keeps its transposed copy gives the definition's values, with and without a
    /// residual, makes the copy once, and after a write multiplies by its new values.
    @Test func keptTransposedWeightsGiveTheDefinitionAndFollowWrites() {
        let (m, n, k) = (1024, 96, 32)
        let x = Tensor.randn([m, k], seed: 7), residual = Tensor.randn([m, n], seed: 8), weight = Tensor.randn([n, k], seed: 9)
        weight.keepsTransposedCopy = true
        func expected(_ w: Tensor, plus r: Tensor?) -> [Double] {
            let (xs, ws, rs) = (x.scalars, w.scalars, r?.scalars)
            return (0..<m * n).map { index in
                let (i, j) = (index / n, index % n)
                return (0..<k).reduce(Double(rs?[index] ?? 0)) { $0 + Double(xs[i * k + $1]) * Double(ws[j * k + $1]) }
            }
        }
        func error(_ y: Tensor, _ e: [Double]) -> Double { zip(y.scalars, e).map { abs(Double($0) - $1) }.max() ?? .infinity }
        let (plain, names) = GEMM.recordingImplementations { x.linear(weight: weight) }
        #expect(names == ["dnnl_sgemm"], "ran \(names.sorted())")
        #expect(error(plain, expected(weight, plus: nil)) < 1e-3)
        let copy = weight.storage.transposedCopy
        #expect(copy?.rows == n && copy?.values === weight.storage.keptTransposedCopy(rows: n), "the product made the copy, once")
        let accumulated = withoutGradient { x.linear(weight: weight, residual: residual) }
        #expect(error(accumulated, expected(weight, plus: residual)) < 1e-3)
        weight.withUnsafeMutableBufferPointer { values in for i in values.indices { values[i] *= -2 } }
        #expect(error(x.linear(weight: weight), expected(weight, plus: nil)) < 1e-3, "a write drops the copy")
        weight.assign(Tensor.randn([n, k], seed: 10))
        #expect(error(x.linear(weight: weight), expected(weight, plus: nil)) < 1e-3, "assign drops the copy")
        // The same storage seen as another matrix gets its own transpose.
        let ws = weight.scalars
        let other = weight.storage.keptTransposedCopy(rows: k).map { Array(UnsafeBufferPointer(start: $0.base, count: ws.count)) }
        #expect(other == (0..<ws.count).map { ws[$0 % k * n + $0 / k] })
    }

    @Test func recordingIsPerTask() async {
        let x = Tensor.randn([4, 8, 8], seed: 3)
        let (_, outer) = GEMM.recordingImplementations { x.matmul(x) }
        let (_, none) = GEMM.recordingImplementations { _ = x.sum() }
        #expect(!outer.isEmpty)
        #expect(none.isEmpty)
    }
}
