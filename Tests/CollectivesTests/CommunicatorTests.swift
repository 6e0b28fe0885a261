import Collectives
import Tensors
import Testing

/// One process of a run of `size`, for the arithmetic of shares (its collectives are not used).
final class ProcessOfRun: Communicator {
    let rank: Int, size: Int
    init(_ rank: Int, of size: Int) {
        self.rank = rank
        self.size = size
    }
    func allGather(_ values: [Float], counts: [Int]) -> [Float] { fatalError("not part of these tests") }
    func allReduceSum(_ values: inout [Float]) { fatalError("not part of these tests") }
    func broadcast(_ values: inout [Float], root: Int) { fatalError("not part of these tests") }
}

@Suite struct CommunicatorTests {
    /// The shares of the processes are consecutive, cover the batch and differ by at most one row.
    @Test(arguments: [(7, 3), (64, 2), (5, 5), (9, 4)])
    func sharesCoverTheBatchInRankOrder(rows: Int, size: Int) {
        let shards = (0..<size).map { ProcessOfRun($0, of: size).shard(of: rows) }
        #expect(shards.first?.lowerBound == 0 && shards.last?.upperBound == rows)
        #expect(zip(shards, shards.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(shards.map(\.count) == ProcessOfRun(0, of: size).rowCounts(rows))
        #expect(shards.map(\.count).max()! - shards.map(\.count).min()! <= 1)
    }

    /// One process: gathering is the identity, with gradient, and averaging leaves gradients alone.
    @Test func aSingleProcessGathersItself() {
        let x = Tensor.randn([4, 3], seed: 1).requiringGradient()
        let one = SingleProcess()
        let y = x.allGathered(rows: 4, over: one)
        #expect(y.scalars == x.scalars)
        (y * y).sum().backward()
        let gradient = x.grad!.scalars
        #expect(gradient == x.scalars.map { 2 * $0 })
        one.averageGradients([x])
        #expect(x.grad!.scalars == gradient)
        #expect(one.isRoot && one.shard(of: 4) == 0..<4)
    }
}
