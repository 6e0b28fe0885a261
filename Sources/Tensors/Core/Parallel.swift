import CDNNL

/// Splits loops across the cores on libgomp's thread pool, the same pool oneDNN's GEMMs use.
///
/// Sharing one pool is the point: a second pool (Dispatch) would compete with OpenMP workers that
/// keep spinning for a while after every GEMM, halving the speed of the next kernel on two cores.
public enum Parallel {
    /// The number of threads kernels split their work over (`OMP_NUM_THREADS`, else the core count).
    public static var threadCount: Int { Int(omp_get_max_threads()) }

    /// Calls `body` on disjoint contiguous sub-ranges covering `0..<count`, in parallel when the
    /// work is large enough to pay for waking the pool (`count * costPerItem >= 32768`).
    ///
    /// - Parameter costPerItem: rough work per item in elementary operations (a row of 384 floats costs 384).
    public static func forRange(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        forChunks(count, costPerItem: costPerItem) { _, range in body(range) }
    }

    /// The number of chunks `forChunks` splits `count` items of `costPerItem` into.
    public static func chunkCount(_ count: Int, costPerItem: Int = 1) -> Int {
        let threads = min(threadCount, count)
        return threads <= 1 || count * max(costPerItem, 1) < 32_768 ? (count > 0 ? 1 : 0) : threads
    }

    /// Like `forRange`, also passing each range's chunk index in `0..<chunkCount(count, costPerItem:)`,
    /// so that a kernel can keep per-chunk partial results (reductions across rows) and combine
    /// them afterwards instead of passing over the data a second time.
    public static func forChunks(_ count: Int, costPerItem: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, costPerItem: costPerItem)
        if chunks <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let job = Job(count: count, body: escapable)
            let context = Unmanaged.passRetained(job)
            GOMP_parallel({ raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeUnretainedValue()
                let index = Int(omp_get_thread_num())
                let total = Int(omp_get_num_threads())
                let chunk = (job.count + total - 1) / total
                let lower = min(index * chunk, job.count)
                let upper = min(lower + chunk, job.count)
                if lower < upper { job.body(index, lower..<upper) }
            }, context.toOpaque(), UInt32(chunks), 0)
            context.release()
        }
    }

    private final class Job {
        let count: Int
        let body: (Int, Range<Int>) -> Void
        init(count: Int, body: @escaping (Int, Range<Int>) -> Void) {
            self.count = count
            self.body = body
        }
    }
}
