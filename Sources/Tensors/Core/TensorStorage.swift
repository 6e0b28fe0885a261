import CDNNL
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
        TensorStorage.allocatorTuned
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

    /// Keeps freed activation buffers in the heap for reuse. By default glibc maps every block
    /// above 128 KiB afresh and unmaps it on free, so each training step page-faults its whole
    /// working set in again (a fifth of a BERT step's time). Blocks up to 32 MiB (glibc's
    /// maximum threshold) now come from the heap, which is never trimmed back.
    private static let allocatorTuned: Void = {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }()
}
