import CDNNL
import Foundation

/// How products under ``MatmulPrecision/bf16`` run on this machine, decided once, at first use.
///
/// Where the CPU has bf16 dot-product instructions (AVX512-BF16, AMX), the operands are
/// converted to bfloat16 and oneDNN's bf16 kernel multiplies them with fp32 accumulation. Before
/// the first such product, a small product is checked against the rounded-operand reference; if
/// the kernel is oneDNN's reference implementation or its result is not the rounded-operand
/// product, bf16 products fall back to rounding the operands and multiplying in fp32, and one
/// line on standard error says so. Without bf16 instructions that fallback is the plan from the
/// start (silently: it is the documented behaviour on AVX2 CPUs).
public enum BFloat16Products {
    /// Which path bf16 products take.
    public enum Mode: Sendable, Equatable {
        /// oneDNN's bf16 kernel `kernel` (its implementation name, e.g. "brg:avx512_core_amx_bf16")
        /// multiplies bfloat16 operands.
        case native(kernel: String)
        /// The operands are rounded to bfloat16 and multiplied in fp32 (bf16's numerics, fp32's
        /// speed); `reason` says why.
        case emulated(reason: String)

        /// Whether oneDNN's bf16 kernels run the products.
        public var isNative: Bool {
            if case .native = self { return true }
            return false
        }
    }

    /// This process's path, decided at first use (see the type's documentation).
    public static let mode: Mode = {
        guard OneDNN.hasBFloat16Instructions else {
            return .emulated(reason: "oneDNN's instruction set here (\(OneDNN.isa)) has no bf16 dot products")
        }
        let mode = selfCheck()
        if case .emulated(let reason) = mode {
            FileHandle.standardError.write(Data("contrast: bf16 products fall back to rounded operands multiplied in fp32: \(reason)\n".utf8))
        }
        return mode
    }()

    /// Runs a 16 x 48 x 24 product through oneDNN's bf16 kernel and judges it with ``verdict``.
    static func selfCheck() -> Mode {
        let (m, k, n) = (16, 48, 24)
        // Values with many mantissa bits, so that rounding them changes the product.
        let a = (0..<m * k).map { Float(sin(Double($0) * 0.731) * 1.37) }
        let b = (0..<k * n).map { Float(cos(Double($0) * 0.419) * 0.83) }
        var a16 = [UInt16](repeating: 0, count: a.count), b16 = [UInt16](repeating: 0, count: b.count)
        Kernels.convertToBFloat16(a, &a16, a.count)
        Kernels.convertToBFloat16(b, &b16, b.count)
        var c = [Float](repeating: 0, count: m * n)
        let runtime = OneDNNRuntime.shared
        let (status, kernel) = c.withUnsafeMutableBufferPointer { pc in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { name in
                let status = cdnnl_batched_matmul(runtime.engine, runtime.stream, 1, Int64(m), Int64(n), Int64(k), 0, 0, dnnl_bf16,
                                                  a16, 0, b16, 0, pc.baseAddress, Int64(n), 1, 0, name.baseAddress, name.count)
                return (status, status == dnnl_success ? String(cString: name.baseAddress!) : "")
            }
        }
        guard status == dnnl_success else { return .emulated(reason: "oneDNN's bf16 matmul failed with status \(status.rawValue)") }
        func product(_ x: [Float], _ y: [Float]) -> [Double] {
            (0..<m * n).map { i in (0..<k).reduce(0.0) { $0 + Double(x[i / n * k + $1]) * Double(y[$1 * n + i % n]) } }
        }
        let rounded = { (x: [UInt16]) in x.map { Float(bitPattern: UInt32($0) << 16) } }
        return verdict(kernel: kernel, result: c, roundedReference: product(rounded(a16), rounded(b16)), fp32Reference: product(a, b))
    }

    /// Whether a bf16 kernel's `result` is the product of rounded operands: within fp32
    /// accumulation error of `roundedReference` (relative to the largest value) and measurably
    /// apart from `fp32Reference`, the product of the unrounded operands; and the kernel is not
    /// oneDNN's reference implementation (`ref:`), which is orders of magnitude slower.
    public static func verdict(kernel: String, result: [Float], roundedReference: [Double], fp32Reference: [Double]) -> Mode {
        let scale = max(roundedReference.map(Swift.abs).max() ?? 0, 1e-30)
        let fromRounded = zip(result, roundedReference).map { Swift.abs(Double($0) - $1) }.max() ?? .infinity
        let fromFP32 = zip(result, fp32Reference).map { Swift.abs(Double($0) - $1) }.max() ?? 0
        if kernel.hasPrefix("ref:") || kernel.isEmpty {
            return .emulated(reason: "oneDNN chose \(kernel.isEmpty ? "no named kernel" : kernel) for bf16 products")
        }
        if fromRounded > 1e-5 * scale || fromFP32 < 1e-4 * scale {
            return .emulated(reason: "oneDNN's \(kernel) did not compute the rounded-operand product "
                + "(difference \(fromRounded) from it, \(fromFP32) from the fp32 product, largest value \(scale))")
        }
        return .native(kernel: kernel)
    }
}
