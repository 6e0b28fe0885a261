/// The element types a safetensors file may hold that this reader converts to `Float`.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    /// Integer buffers such as `embeddings.position_ids`, converted to `Float` (exact below 2²⁴).
    case int64 = "I64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32: 4
        case .float16, .bfloat16: 2
        case .int64: 8
        }
    }

    /// Converts `count` little-endian elements at `source` (any alignment) to `Float`s at `target`.
    func convert(_ source: UnsafeRawPointer, count: Int, into target: UnsafeMutablePointer<Float>) {
        switch self {
        case .float32:
            #if _endian(little)
            // The file's bytes are already this machine's floats: one copy (any alignment).
            UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: 4 * count)
            #else
            for i in 0..<count {
                target[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        case .float16:
            for i in 0..<count {
                target[i] = Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .bfloat16:
            // bfloat16 is the top half of a float32.
            for i in 0..<count {
                target[i] = Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        case .int64:
            for i in 0..<count {
                target[i] = Float(Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            }
        }
    }
}
