import Tensors

/// Random choices shared by the augmentations.
extension RandomGenerator {
    /// `count` distinct elements of `elements`, in random order (a partial Fisher-Yates shuffle:
    /// one draw per element taken, however long `elements` is).
    mutating func sample<T>(_ count: Int, of elements: [T]) -> [T] {
        ensure(count <= elements.count, "sample: \(count) elements asked of \(elements.count)")
        var pool = elements
        for i in 0..<count {
            pool.swapAt(i, i + nextInt(below: pool.count - i))
        }
        return Array(pool.prefix(count))
    }
}

/// How many of `total` items a rate selects.
enum RateCount {
    /// Slack for decimal rates that binary floating point misses (0.1 * 30 is 3.0000000000000004,
    /// whose ceiling would be 4).
    private static let tolerance = 1e-9

    /// `ceil(rate * total)`, at most `total`.
    static func ceiling(_ rate: Double, of total: Int) -> Int {
        min(total, Int((rate * Double(total) - tolerance).rounded(.up)))
    }

    /// `floor(rate * total)`.
    static func floor(_ rate: Double, of total: Int) -> Int {
        Int((rate * Double(total) + tolerance).rounded(.down))
    }
}

extension Array where Element == Int {
    /// The indices of the ids that are not special, in order.
    func contentPositions(isSpecial: (Int) -> Bool) -> [Int] {
        indices.filter { !isSpecial(self[$0]) }
    }
}
