import Tensors

/// A first-in first-out ring buffer of the last `capacity` feature rows (MoCo's and ESimCSE's
/// queue of momentum keys, ALBEF's image and text queues).
///
/// Order of use in a training step: **read `features` for the loss first, then `enqueue` the
/// current keys**, so a key is never its own negative. `features` is a snapshot: enqueueing later
/// (before `backward()`, as MoCo does inside its forward) cannot change the values the loss's
/// backward reads.
///
/// Any batch size works: one that does not divide the capacity wraps around, and one larger than
/// the capacity keeps only its last `capacity` rows.
///
/// ```swift
/// let queue = FeatureQueue(capacity: 4096, dimension: 128)
/// let loss = InfoNCELoss(temperature: .fixed(0.2), inBatchNegatives: false)(queries: q, keys: k, queue: queue.features)
/// queue.enqueue(k)
/// ```
public final class FeatureQueue {
    /// The most rows the queue holds.
    public let capacity: Int
    /// The width of each row.
    public let dimension: Int
    /// How many rows it holds now (grows to `capacity`, then stays).
    public private(set) var count = 0
    /// The slot the next row is written to.
    private var head = 0
    /// `capacity x dimension` values, row-major, in slot order.
    private var buffer: [Float]

    /// An empty queue.
    public init(capacity: Int, dimension: Int) {
        ensure(capacity > 0 && dimension > 0, "FeatureQueue: capacity \(capacity) and dimension \(dimension) must be positive")
        self.capacity = capacity
        self.dimension = dimension
        buffer = [Float](repeating: 0, count: capacity * dimension)
    }

    /// The rows held, oldest first, as a `[count, dimension]` constant tensor (a copy).
    public var features: Tensor {
        // Slots head..<capacity hold the oldest rows once the queue has wrapped.
        let oldest = count == capacity ? head : 0
        var rows = Array(buffer[(oldest * dimension)..<(count * dimension)])
        rows += buffer[0..<(oldest * dimension)]
        return Tensor(rows, shape: [count, dimension])
    }

    /// Appends the rows of `keys` (`[B, dimension]`), dropping the oldest rows beyond `capacity`.
    /// Values are copied; no gradient flows into the queue.
    public func enqueue(_ keys: Tensor) {
        ensure(keys.rank == 2 && keys.shape[1] == dimension,
                     "FeatureQueue.enqueue: keys must be [B, \(dimension)], got \(keys.shape)")
        let rows = keys.shape[0]
        // Rows that would be overwritten within this same call are skipped.
        let first = Swift.max(0, rows - capacity)
        keys.withUnsafeBufferPointer { source in
            buffer.withUnsafeMutableBufferPointer { slots in
                for r in first..<rows {
                    let from = source.baseAddress! + r * dimension
                    (slots.baseAddress! + head * dimension).update(from: from, count: dimension)
                    head = (head + 1) % capacity
                }
            }
        }
        count = Swift.min(capacity, count + rows - first)
    }
}
