import Testing
@testable import Tensors

/// The allocator of large tensor buffers (`LargeBlocks`) and the tensor memory counters.
@Suite struct TensorMemoryTests {
    let megabyte = 1 << 20

    func fill(_ block: UnsafeMutableRawPointer, bytes: Int, with value: Float) {
        block.bindMemory(to: Float.self, capacity: bytes / 4).update(repeating: value, count: bytes / 4)
    }

    func values(_ block: UnsafeMutableRawPointer, bytes: Int) -> Set<Float> {
        Set(UnsafeBufferPointer(start: block.bindMemory(to: Float.self, capacity: bytes / 4), count: bytes / 4))
    }

    @Test func aFreedBlockServesTheNextAllocationOfItsSize() {
        let pool = LargeBlocks()
        let (a, fresh) = pool.take(megabyte)
        #expect(fresh)
        pool.give(a, bytes: megabyte)
        let (b, again) = pool.take(megabyte)
        #expect(b == a && !again)
        #expect(pool.mappedBytes == megabyte)
        pool.give(b, bytes: megabyte)
    }

    @Test func aLargerFreeBlockIsSplitAndItsPartsJoinAgain() {
        let pool = LargeBlocks()
        let (whole, _) = pool.take(2 * megabyte)
        pool.give(whole, bytes: 2 * megabyte)
        let (head, _) = pool.take(megabyte), (tail, _) = pool.take(megabyte - 4096)
        #expect(head == whole && tail == whole + megabyte)
        #expect(pool.mappedBytes == 2 * megabyte)
        pool.give(tail, bytes: megabyte - 4096)
        pool.give(head, bytes: megabyte)
        let (joined, fresh) = pool.take(2 * megabyte)
        #expect(joined == whole && !fresh && pool.mappedBytes == 2 * megabyte)
        pool.give(joined, bytes: 2 * megabyte)
    }

    /// Beyond an eighth above the peak in use, a larger block is assembled from the pages of
    /// smaller free ones, moved with their contents rather than mapped afresh.
    @Test func pagesOfSmallerFreeBlocksMoveIntoALargerOne() {
        let pool = LargeBlocks()
        let blocks = (0..<4).map { _ in pool.take(megabyte).block }
        for (i, block) in blocks.enumerated() { fill(block, bytes: megabyte, with: Float(i)) }
        // Free the first and third; if the kernel placed them side by side they join, and the
        // larger allocation is served whole instead: the pages are reused either way.
        pool.give(blocks[0], bytes: megabyte)
        pool.give(blocks[2], bytes: megabyte)
        let (larger, fresh) = pool.take(2 * megabyte)
        #expect(!fresh)
        #expect(pool.mappedBytes == 4 * megabyte)
        #expect(values(larger, bytes: megabyte).union(values(larger + megabyte, bytes: megabyte)) == [0, 2])
        fill(larger, bytes: 2 * megabyte, with: 7)
        #expect(values(blocks[1], bytes: megabyte) == [1] && values(blocks[3], bytes: megabyte) == [3])
        pool.give(larger, bytes: 2 * megabyte)
        pool.give(blocks[1], bytes: megabyte)
        pool.give(blocks[3], bytes: megabyte)
        #expect(pool.mappedBytes == 4 * megabyte)
    }

    @Test func reusedBuffersOfZeroTensorsAreZeroed() {
        for _ in 0..<3 {
            let ones = Tensor.full([512, 1024], 1)
            #expect(ones.scalars.allSatisfy { $0 == 1 })
        }
        #expect(Tensor.zeros([512, 1024]).scalars.allSatisfy { $0 == 0 })
    }

    @Test func tensorBytesAreCountedWhileHeld() {
        let t = Tensor.zeros([1024, 1024])
        // Other tests allocate and free concurrently: only bounds hold.
        #expect(TensorMemory.liveBytes >= 4 * megabyte)
        #expect(TensorMemory.peakBytes >= 4 * megabyte)
        withExtendedLifetime(t) {}
    }
}
