import Tensors

/// A lookup table of `count` vectors of width `dimension` (Hugging Face's `nn.Embedding`,
/// parameter `weight` `[count, dimension]`).
///
/// ```swift
/// var g = RandomGenerator(seed: 0)
/// let words = Embedding(count: 30522, dimension: 384, paddingIndex: 0, generator: &g)
/// let vectors = words([101, 2023, 102], shape: [1, 3])   // [1, 3, 384]
/// ```
public final class Embedding: Module {
    /// `[count, dimension]`.
    public let weight: Tensor

    /// A table initialised as BERT does: normal(0, `std`), with the row `paddingIndex` zeroed.
    public init(count: Int, dimension: Int, paddingIndex: Int? = nil,
                std: Float = Initialization.bertStandardDeviation, generator: inout RandomGenerator) {
        weight = Initialization.normal([count, dimension], std: std, generator: &generator)
        if let paddingIndex {
            ensure((0..<count).contains(paddingIndex), "Embedding: padding index \(paddingIndex) outside 0..<\(count)")
            weight.withUnsafeMutableBufferPointer { rows in
                rows[(paddingIndex * dimension)..<((paddingIndex + 1) * dimension)].update(repeating: 0)
            }
        }
        super.init()
        register(parameter: weight, as: "weight")
    }

    /// The number of rows (vocabulary size).
    public var count: Int { weight.shape[0] }
    /// The width of each vector.
    public var dimension: Int { weight.shape[1] }

    /// The vectors of `indices`, shaped `shape + [dimension]` (`shape` defaults to `[indices.count]`).
    public func callAsFunction(_ indices: [Int], shape: [Int]? = nil) -> Tensor {
        if let bad = indices.first(where: { !(0..<count).contains($0) }) {
            fatalError("Embedding: index \(bad) outside 0..<\(count)")
        }
        return weight.gatherRows(indices, indexShape: shape)
    }
}
