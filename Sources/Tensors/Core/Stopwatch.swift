/// Timing for benchmarks: warm-up runs, then the median (or the best) of repeated runs. The one
/// timer of the benchmarks in the library and the CLI.
public enum Stopwatch {
    /// Seconds taken by one call of `body`.
    public static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return (ContinuousClock.now - start).seconds
    }

    /// The median time of `body` over `repeats` runs after `warmup` untimed runs.
    public static func median(warmup: Int = 3, repeats: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        let times = (0..<max(repeats, 1)).map { _ in seconds(body) }.sorted()
        return times[times.count / 2]
    }

    /// The fastest time of each of two bodies over `repeats` alternating runs, after `warmup`
    /// runs of each: both see the same machine state, and noise only ever slows a run down.
    public static func interleavedBest(warmup: Int = 3, repeats: Int, _ first: () -> Void, _ second: () -> Void) -> (Double, Double) {
        for _ in 0..<warmup { first(); second() }
        var best = (Double.infinity, Double.infinity)
        for _ in 0..<max(repeats, 1) {
            best.0 = min(best.0, seconds(first))
            best.1 = min(best.1, seconds(second))
        }
        return best
    }
}
