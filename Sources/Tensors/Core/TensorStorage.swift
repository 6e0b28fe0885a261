import CDNNL
import Synchronization
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
        ensure(count >= 0, "TensorStorage: negative element count \(count)")
        TensorStorage.allocatorTuned
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        var block = bytes >= LargeBlocks.minimumBytes ? LargeBlocks.shared.take(bytes) : nil
        if block == nil {
            guard posix_memalign(&block, 64, bytes) == 0, block != nil else {
                fatalError("TensorStorage: out of memory allocating \(bytes) bytes")
            }
        }
        let raw = block!
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        if zeroed { memset(raw, 0, bytes) }
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes < LargeBlocks.minimumBytes || !LargeBlocks.shared.keep(UnsafeMutableRawPointer(base), bytes: bytes) { free(base) }
    }

    /// Keeps freed activation buffers in the heap for reuse. By default glibc maps every block
    /// above 128 KiB afresh and unmaps it on free, so each training step page-faults its whole
    /// working set in again (a fifth of a BERT step's time). Blocks up to 32 MiB (glibc's
    /// maximum threshold) now come from the heap, which is never trimmed back.
    private static let allocatorTuned: Void = {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }()
}

/// Freed blocks of 32 MiB and more (above glibc's largest heap threshold, so `malloc` maps them
/// afresh and the kernel zeroes every page again on first touch), kept by size for the next
/// allocation of the same size: a training step allocates the same large gradients every step.
/// Thread-safe; holds at most `capacityBytes`.
final class LargeBlocks: Sendable {
    static let shared = LargeBlocks()
    static let minimumBytes = 32 << 20
    static let capacityBytes = 256 << 20

    /// Addresses (as integers, which are `Sendable`) of free blocks by byte size, and their total.
    private let state = Mutex<(blocks: [Int: [UInt]], bytes: Int)>(([:], 0))

    /// A kept block of exactly `bytes`, or `nil`.
    func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let address: UInt? = state.withLock { s in
            guard let a = s.blocks[bytes]?.popLast() else { return nil }
            s.bytes -= bytes
            return a
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `block` for reuse; `false` when the cache is full (the caller frees it).
    func keep(_ block: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        state.withLock { s in
            guard s.bytes + bytes <= Self.capacityBytes else { return false }
            s.blocks[bytes, default: []].append(UInt(bitPattern: block))
            s.bytes += bytes
            return true
        }
    }
}
