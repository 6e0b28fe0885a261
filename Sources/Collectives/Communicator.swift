/// The processes of one data-parallel run and the collective operations between them.
///
/// Every process calls the same collectives in the same order (they block until all have
/// called). `SingleProcess` is the default; the `Distributed` module implements it over MPI, so
/// that code written against this protocol runs alone or across machines, and builds without MPI.
///
/// ```swift
/// var gradient: [Float] = ...
/// communicator.allReduceAverage(&gradient)   // the mean over processes, the same on each
/// ```
public protocol Communicator: AnyObject {
    /// This process's index, in `0..<size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Every process's `values`, concatenated in rank order; process `r` contributes `counts[r]`
    /// values (`counts` is the same on every process).
    func allGather(_ values: [Float], counts: [Int]) -> [Float]
    /// Replaces `values` by their element-wise sum over processes, identical on every process.
    func allReduceSum(_ values: inout [Float])
    /// Replaces `values` by process `root`'s, on every process.
    func broadcast(_ values: inout [Float], root: Int)
}

extension Communicator {
    /// Whether this process writes files and logs (rank 0).
    public var isRoot: Bool { rank == 0 }

    /// How `count` rows are split over the processes: `rowCounts(count)[r]` rows for process `r`,
    /// consecutive in rank order, differing by at most one.
    public func rowCounts(_ count: Int) -> [Int] {
        (0..<size).map { count / size + ($0 < count % size ? 1 : 0) }
    }

    /// This process's rows of a batch of `count` rows.
    public func shard(of count: Int) -> Range<Int> {
        let counts = rowCounts(count)
        let start = counts.prefix(rank).reduce(0, +)
        return start..<(start + counts[rank])
    }

    /// Replaces `values` by their element-wise mean over processes.
    public func allReduceAverage(_ values: inout [Float]) {
        guard size > 1 else { return }
        allReduceSum(&values)
        let scale = 1 / Float(size)
        for i in values.indices { values[i] *= scale }
    }
}

/// One process alone: every collective returns its input.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allGather(_ values: [Float], counts: [Int]) -> [Float] { values }
    public func allReduceSum(_ values: inout [Float]) {}
    public func broadcast(_ values: inout [Float], root: Int) {}
}
