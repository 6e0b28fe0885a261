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
    /// Whether bf16 products keep a bfloat16 copy of these values between calls (a module's
    /// parameters: they change only where an optimizer or a loader writes them).
    var keepsBFloat16Copy = false
    /// The kept copy (bfloat16 bit patterns), dropped by ``valuesWillChange()``.
    private var bfloat16Copy: TensorStorage?
    /// Whether fp32 products keep a transposed copy of these values, seen as a matrix, between
    /// calls where they read it faster that way (a module's parameters; ``GEMM/prefersUntransposedWeight(transposeA:transposeB:m:n:k:lda:ldb:)``).
    var keepsTransposedCopy = false
    /// The kept transposed copy and the row count of the matrix it transposes, dropped by ``valuesWillChange()``.
    private(set) var transposedCopy: (rows: Int, values: TensorStorage)?

    /// Allocates `count` floats; their contents are undefined unless `zeroed`.
    init(count: Int, zeroed: Bool) {
        ensure(count >= 0, "TensorStorage: negative element count \(count)")
        TensorStorage.allocatorTuned
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw: UnsafeMutableRawPointer
        if bytes >= LargeBlocks.minimumBytes {
            let (block, fresh) = LargeBlocks.shared.take(bytes)
            raw = block
            // A freshly mapped block reads as zeros already.
            if zeroed && !fresh { memset(raw, 0, bytes) }
        } else {
            var block: UnsafeMutableRawPointer?
            guard posix_memalign(&block, 64, bytes) == 0, let block else {
                fatalError("TensorStorage: out of memory allocating \(bytes) bytes")
            }
            raw = block
            if zeroed { memset(raw, 0, bytes) }
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        TensorMemory.allocated(bytes)
    }

    /// Forgets the kept bfloat16 copy: the values are about to be written in place (only the
    /// explicit writes of `Tensor` do so; operations never mutate their inputs).
    func valuesWillChange() {
        bfloat16Copy = nil
        transposedCopy = nil
    }

    /// Keeps the bfloat16 copy that `fill` writes (the bit patterns of these values, as
    /// ``keptBFloat16Copy()`` would make them): a kernel that writes the values can write the copy
    /// in the same pass, sparing the product that reads it a conversion pass.
    func keepBFloat16Copy(filledBy fill: (UnsafeMutablePointer<UInt16>) -> Void) {
        let copy = TensorStorage(count: (count + 1) / 2, zeroed: false)
        fill(UnsafeMutableRawPointer(copy.base).bindMemory(to: UInt16.self, capacity: count))
        keepsBFloat16Copy = true
        bfloat16Copy = copy
    }

    /// The kept transpose of these values seen as a `rows`-row matrix, made at first use after
    /// each write; `nil` unless ``keepsTransposedCopy``.
    func keptTransposedCopy(rows: Int) -> TensorStorage? {
        guard keepsTransposedCopy, rows > 0, count % rows == 0 else { return nil }
        if let transposedCopy, transposedCopy.rows == rows { return transposedCopy.values }
        let values = TensorStorage(count: count, zeroed: false)
        Kernels.permute(base, values.base, shape: [rows, count / rows], permutation: [1, 0])
        transposedCopy = (rows, values)
        return values
    }

    /// The kept copy of the values as bfloat16 bit patterns for oneDNN's bf16 kernels
    /// (``GEMM/packedBFloat16(_:native:)``), made at first use after each write (a weight is then
    /// rounded once per optimizer step, not once per product); `nil` unless ``keepsBFloat16Copy``.
    func keptBFloat16Copy() -> TensorStorage? {
        guard keepsBFloat16Copy else { return nil }
        if let bfloat16Copy { return bfloat16Copy }
        let packed = GEMM.packedBFloat16(GEMM.StoredMatrix(base, rows: 1, columns: count, ld: count), native: true)
        bfloat16Copy = packed
        return packed
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        TensorMemory.freed(bytes)
        if bytes >= LargeBlocks.minimumBytes {
            LargeBlocks.shared.give(UnsafeMutableRawPointer(base), bytes: bytes)
        } else {
            free(base)
        }
    }

    /// Keeps freed buffers below 256 KiB (larger ones come from `LargeBlocks`), and other
    /// allocations up to 32 MiB such as arrays of token ids, in the heap: by default glibc maps
    /// blocks above 128 KiB afresh and unmaps them on free, faulting their pages in every time.
    private static let allocatorTuned: Void = {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }()
}

/// Tensor buffers of 256 KiB and more: page-aligned mappings whose pages are recycled rather
/// than returned to the kernel or left to a heap's fragmentation.
///
/// A training step allocates the same activations and gradients every step, or nearly the same
/// when batches are padded to their longest sentence. A freed block is kept for the next
/// allocation of its size, or of a smaller size, which takes its first pages and leaves the rest
/// free (freed neighbours join again). When no free block is large enough, a new range is mapped
/// while the process maps at most an eighth more than the peak of bytes in use; beyond that, the
/// pages of smaller free blocks are moved into the new range by `mremap` (no copy, no page fault)
/// and only what they cannot cover is mapped afresh. So the process maps little more than its
/// peak of tensors (glibc's heap grew a fifth above it), and after the first step reuses pages
/// instead of faulting in fresh ones (mapping afresh every step costs a fifth of a BERT step).
/// Thread-safe.
final class LargeBlocks: Sendable {
    static let shared = LargeBlocks()
    static let minimumBytes = 256 << 10
    /// A block is made of at most this many separate mappings (see `Block`); one made of more
    /// is unmapped when freed rather than kept, which bounds the process's mappings (the kernel
    /// allows 65530).
    static let maximumPieces = 16
    private static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Whole pages at `address` (an integer, which is `Sendable`). `pieces` are the lengths of the
    /// consecutive ranges it is made of, each inside one kernel mapping as `mremap` needs.
    private struct Block {
        var address: UInt
        var pieces: [Int]
        var size: Int { pieces.reduce(0, +) }
        var end: UInt { address + UInt(size) }

        /// The first `length` bytes and the rest.
        func split(at length: Int) -> (head: Block, tail: Block) {
            var head: [Int] = [], tail: [Int] = [], offset = 0
            for piece in pieces {
                if offset >= length {
                    tail.append(piece)
                } else if offset + piece <= length {
                    head.append(piece)
                } else {
                    head.append(length - offset)
                    tail.append(offset + piece - length)
                }
                offset += piece
            }
            return (Block(address: address, pieces: head), Block(address: address + UInt(length), pieces: tail))
        }
    }

    private struct State {
        /// Free blocks by start address, their addresses by size (most recently freed last) and
        /// by end address (to join neighbours).
        var free: [UInt: Block] = [:]
        var bySize: [Int: [UInt]] = [:]
        var byEnd: [UInt: UInt] = [:]
        /// The pieces of blocks in use that are made of more than one.
        var pieces: [UInt: [Int]] = [:]
        var mappedBytes = 0, inUse = 0, peakInUse = 0

        mutating func insert(_ block: Block) {
            free[block.address] = block
            bySize[block.size, default: []].append(block.address)
            byEnd[block.end] = block.address
        }

        mutating func remove(_ address: UInt) -> Block {
            let block = free.removeValue(forKey: address)!
            let size = block.size
            bySize[size]!.remove(at: bySize[size]!.lastIndex(of: address)!)
            if bySize[size]!.isEmpty { bySize[size] = nil }
            byEnd[block.end] = nil
            return block
        }

        /// Hands out `block`, recording its pieces.
        mutating func use(_ block: Block) -> UInt {
            if block.pieces.count > 1 { pieces[block.address] = block.pieces }
            return block.address
        }
    }
    private let state = Mutex(State())

    /// The bytes mapped, in use or free.
    var mappedBytes: Int { state.withLock { $0.mappedBytes } }

    /// A block of at least `bytes`, and whether it is freshly mapped (zero-filled).
    func take(_ bytes: Int) -> (block: UnsafeMutableRawPointer, fresh: Bool) {
        let size = (bytes + Self.pageBytes - 1) / Self.pageBytes * Self.pageBytes
        let (reused, sources): (UInt?, [Block]) = state.withLock { s in
            s.inUse += size
            s.peakInUse = max(s.peakInUse, s.inUse)
            if let address = s.bySize[size]?.last {
                return (s.use(s.remove(address)), [])
            }
            // The smallest larger free block gives its first pages.
            if let larger = s.bySize.keys.lazy.filter({ $0 > size }).min() {
                let (head, tail) = s.remove(s.bySize[larger]!.last!).split(at: size)
                s.insert(tail)
                return (s.use(head), [])
            }
            // The largest free blocks give their pages as far as a fresh mapping would exceed
            // the peak in use by more than an eighth.
            var sources: [Block] = [], covered = 0
            let allowed = s.peakInUse + s.peakInUse / 8
            while s.mappedBytes + size - covered > allowed, let largest = s.bySize.keys.max() {
                var block = s.remove(s.bySize[largest]!.last!)
                if covered + largest > size {
                    let (head, tail) = block.split(at: size - covered)
                    s.insert(tail)
                    block = head
                }
                covered += block.size
                sources.append(block)
            }
            s.mappedBytes += size - covered
            return (nil, sources)
        }
        if let reused { return (UnsafeMutableRawPointer(bitPattern: reused)!, false) }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else {
            fatalError("TensorStorage: out of memory mapping \(bytes) bytes")
        }
        var pieces: [Int] = [], offset = 0, lost = 0
        for source in sources {
            var from = source.address
            for piece in source.pieces {
                // Where a move fails, the range keeps its fresh pages and the source is let go.
                if cdnnl_move_pages(UnsafeMutableRawPointer(bitPattern: from), piece, mapped + offset) != 0 {
                    munmap(UnsafeMutableRawPointer(bitPattern: from), piece)
                    lost += piece
                }
                pieces.append(piece)
                offset += piece
                from += UInt(piece)
            }
        }
        if offset < size { pieces.append(size - offset) }
        state.withLock { s in
            _ = s.use(Block(address: UInt(bitPattern: mapped), pieces: pieces))
            s.mappedBytes -= lost
        }
        return (mapped, sources.isEmpty)
    }

    /// Keeps a block of `bytes` from `take` for reuse, joined with free neighbours.
    func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        let size = (bytes + Self.pageBytes - 1) / Self.pageBytes * Self.pageBytes
        let address = UInt(bitPattern: pointer)
        let kept: Bool = state.withLock { s in
            s.inUse -= size
            var block = Block(address: address, pieces: s.pieces.removeValue(forKey: address) ?? [size])
            guard block.pieces.count <= Self.maximumPieces else {
                s.mappedBytes -= size
                return false
            }
            if let before = s.byEnd[block.address], s.free[before]!.pieces.count + block.pieces.count <= Self.maximumPieces {
                let head = s.remove(before)
                block = Block(address: head.address, pieces: head.pieces + block.pieces)
            }
            if let after = s.free[block.end], after.pieces.count + block.pieces.count <= Self.maximumPieces {
                block.pieces += s.remove(after.address).pieces
            }
            s.insert(block)
            return true
        }
        if !kept { munmap(pointer, size) }
    }
}

/// The bytes held by tensors (buffers the engine allocated for tensor values, activations and
/// gradients), now and at their peak: what a training step needs, apart from the allocator's
/// slack and the process's code and libraries. `contrast bench train` reports the peak.
///
/// ```swift
/// TensorMemory.resetPeak()
/// trainingStep()
/// print(Double(TensorMemory.peakBytes) / 1_048_576, "MiB of tensors at the peak")
/// ```
public enum TensorMemory {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// Bytes held by tensors now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// The most bytes tensors held at once since the process started or `resetPeak()`.
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// Starts measuring the peak again from the bytes held now.
    public static func resetPeak() { peak.store(liveBytes, ordering: .relaxed) }

    static func allocated(_ bytes: Int) {
        let now = live.wrappingAdd(bytes, ordering: .relaxed).newValue
        var seen = peak.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = peak.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }

    static func freed(_ bytes: Int) { live.wrappingSubtract(bytes, ordering: .relaxed) }
}
