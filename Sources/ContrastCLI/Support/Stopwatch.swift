import Tensors

/// Timing for benchmarks: warm-up runs, then the median of repeated runs.
enum Stopwatch {
    /// Seconds taken by one call of `body`.
    static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return (ContinuousClock.now - start).seconds
    }

    /// The median time of `body` over `repeats` runs after `warmup` untimed runs.
    static func median(warmup: Int = 3, repeats: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        let times = (0..<max(repeats, 1)).map { _ in seconds(body) }.sorted()
        return times[times.count / 2]
    }
}
