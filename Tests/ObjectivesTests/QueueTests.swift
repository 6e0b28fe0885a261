import Objectives
import Testing
import Tensors

@Suite struct QueueTests {
    /// `count` rows `[start + r, -(start + r)]`, so each row names its position in the stream.
    func rows(_ start: Int, _ count: Int) -> Tensor {
        Tensor((start..<(start + count)).flatMap { [Float($0), -Float($0)] }, shape: [count, 2])
    }

    func firstColumn(_ queue: FeatureQueue) -> [Float] { stride(from: 0, to: queue.count * 2, by: 2).map { queue.features.scalars[$0] } }

    @Test func keepsEnqueueOrderOldestFirst() {
        let queue = FeatureQueue(capacity: 5, dimension: 2)
        #expect(queue.count == 0 && queue.features.shape == [0, 2])
        queue.enqueue(rows(0, 2))
        queue.enqueue(rows(2, 1))
        #expect(firstColumn(queue) == [0, 1, 2])
        #expect(queue.features.scalars == [0, -0, 1, -1, 2, -2])
    }

    @Test func wrapsAroundWithABatchThatDoesNotDivideTheCapacity() {
        let queue = FeatureQueue(capacity: 5, dimension: 2)
        for step in 0..<4 { queue.enqueue(rows(step * 3, 3)) }   // 12 rows through 5 slots
        #expect(queue.count == 5)
        #expect(firstColumn(queue) == [7, 8, 9, 10, 11])
    }

    @Test func aBatchLargerThanTheCapacityKeepsItsLastRows() {
        let queue = FeatureQueue(capacity: 4, dimension: 2)
        queue.enqueue(rows(0, 3))
        queue.enqueue(rows(3, 9))
        #expect(firstColumn(queue) == [8, 9, 10, 11])
        queue.enqueue(rows(12, 1))
        #expect(firstColumn(queue) == [9, 10, 11, 12])
    }

    @Test func featuresAreASnapshotWithoutGradient() {
        let queue = FeatureQueue(capacity: 3, dimension: 2)
        let keys = rows(0, 3).requiringGradient()
        queue.enqueue(keys * 1)
        let snapshot = queue.features
        queue.enqueue(rows(10, 3))
        #expect(snapshot.scalars == [0, -0, 1, -1, 2, -2])
        #expect(!snapshot.requiresGrad)
    }

    @Test func theLossReadsTheQueueBeforeTheCurrentKeys() {
        // MoCo order: the loss sees only earlier keys; the current keys enter the queue afterwards.
        let queue = FeatureQueue(capacity: 8, dimension: 4)
        let earlier = Tensor.randn([4, 4], seed: 1), q = Tensor.randn([4, 4], seed: 2), k = Tensor.randn([4, 4], seed: 3)
        queue.enqueue(earlier)
        let moco = InfoNCELoss(temperature: .fixed(0.2), inBatchNegatives: false)
        let loss = moco(queries: q, keys: k, queue: queue.features)
        queue.enqueue(k)
        #expect(abs(loss.item - moco(queries: q, keys: k, queue: earlier).item) < 1e-6)
        #expect(queue.count == 8)
    }
}
