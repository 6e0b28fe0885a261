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

    @Test func recordingIsPerTask() async {
        let x = Tensor.randn([4, 8, 8], seed: 3)
        let (_, outer) = GEMM.recordingImplementations { x.matmul(x) }
        let (_, none) = GEMM.recordingImplementations { _ = x.sum() }
        #expect(!outer.isEmpty)
        #expect(none.isEmpty)
    }
}
