import Tensors

extension RandomGenerator {
    /// An independent generator for item `index` of a collection drawn on stream `stream` of
    /// `seed`: a pure function of the three, so items can be generated in parallel, in any order,
    /// and the same item always gets the same random numbers.
    ///
    /// Its key is 64 bits of Philox output at that stream, so generators of different items share
    /// no streams (short of a 64-bit key collision).
    public static func item(_ index: Int, stream: UInt64, seed: UInt64) -> RandomGenerator {
        let high = UInt64(Philox.bits(seed: seed, stream: stream, index: 2 * index))
        let low = UInt64(Philox.bits(seed: seed, stream: stream, index: 2 * index + 1))
        return RandomGenerator(seed: high << 32 | low)
    }

    /// A uniform float in `range`, drawn as its own stream.
    mutating func nextUniform(in range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
    }

    /// Whether an event of probability `probability` happens, drawn as its own stream (always
    /// drawn, so that later draws do not depend on the probability).
    mutating func nextBool(probability: Float) -> Bool { nextUniform() < probability }
}

/// Runs `make(index)` for `0..<count` in parallel (one item per call, costing about
/// `costPerItem` operations) and returns the results in order.
func parallelMap<T: Sendable>(_ count: Int, costPerItem: Int, _ make: (Int) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    Parallel.forRange(count, costPerItem: costPerItem) { range in
        for index in range { (results.baseAddress! + index).initialize(to: make(index)) }
    }
    defer { results.deallocate() }
    return (0..<count).map { (results.baseAddress! + $0).move() }
}
