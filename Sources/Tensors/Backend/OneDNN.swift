import CDNNL

/// What the oneDNN library under the engine is and which instructions it uses on this CPU:
/// `contrast --version`, the benchmarks and the tests report these.
public enum OneDNN {
    /// The library's version, e.g. "2.6.3".
    public static var version: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// The instruction set oneDNN's kernels use here: the CPU's best, or less where
    /// `DNNL_MAX_CPU_ISA` (or `dnnl_set_max_cpu_isa`) caps it.
    public static var isa: String {
        let isa = dnnl_get_effective_cpu_isa()
        switch isa {
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_sse41: return "sse41"
        default: return "isa 0x\(String(isa.rawValue, radix: 16))"
        }
    }

    /// Whether oneDNN may use bf16 dot-product instructions here (AVX512-BF16 or AMX).
    public static var hasBFloat16Instructions: Bool {
        let isa = dnnl_get_effective_cpu_isa().rawValue, bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & bf16 == bf16
    }
}

/// The process's oneDNN CPU engine and stream, created once.
///
/// `@unchecked Sendable`: oneDNN engines are thread-safe, and the engine executes the in-order CPU
/// stream synchronously (every call waits for completion) so concurrent callers cannot interleave
/// work on it.
final class OneDNNRuntime: @unchecked Sendable {
    static let shared = OneDNNRuntime()
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        var engine: dnnl_engine_t?
        ensure(dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, "oneDNN: cannot create the CPU engine")
        var stream: dnnl_stream_t?
        ensure(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)) == dnnl_success, "oneDNN: cannot create a stream")
        self.engine = engine!
        self.stream = stream!
    }
}
