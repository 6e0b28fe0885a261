/// What a piece of work's matrix products ran on, for benchmarks and checks: oneDNN's instruction
/// set, the kernels (from ``GEMM/recordingImplementations(_:)``) and the bf16 path.
public struct KernelReport: Sendable, Equatable {
    /// oneDNN's effective instruction set (``OneDNN/isa``).
    public let isa: String
    /// The kernels, sorted: oneDNN's implementation names and "dnnl_sgemm".
    public let kernels: [String]
    /// How bf16 products run here (``BFloat16Products/mode``), in words.
    public let bf16Products: String

    public init(_ kernels: Set<String>) {
        isa = OneDNN.isa
        self.kernels = kernels.sorted()
        switch BFloat16Products.mode {
        case .native(let kernel): bf16Products = "bf16 operands on \(kernel)"
        case .emulated(let reason): bf16Products = "rounded operands, fp32 products (\(reason))"
        }
    }

    /// The kernels that are oneDNN's reference implementations (`ref:...`): correct but orders
    /// of magnitude slower than its JIT kernels, so a bug on any shape the toolkit runs.
    public var referenceImplementations: [String] { kernels.filter { $0.hasPrefix("ref:") } }
}
