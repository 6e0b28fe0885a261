#if canImport(Glibc)
import Glibc
#endif

/// A 64-byte aligned buffer of `Float` owned by one or more tensors (a reshape shares it).
///
/// Storage is never `Sendable`: tensors are used from one thread at a time, and kernels
/// parallelise inside a call over disjoint ranges of the buffer (see `Parallel`).
final class TensorStorage {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// Allocates `count` floats; their contents are undefined unless `zeroed`.
    init(count: Int, zeroed: Bool) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: out of memory allocating \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        if zeroed { memset(raw, 0, bytes) }
    }

    deinit { free(base) }
}
