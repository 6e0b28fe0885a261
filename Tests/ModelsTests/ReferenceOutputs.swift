import Foundation
import Models
import NeuralNetworks
import Tensors
import TestSupport
import Testing

/// What transformers 5.25 computes for the reference texts with a family's tiny checkpoint
/// (`Tests/Fixtures/families/<family>/expected_outputs.json`), and the comparisons the parity
/// tests make with it.
struct ReferenceOutputs: Decodable {
    let input_ids: [[Int]]
    let attention_mask: [[Int]]
    /// Each text's last hidden state at its positions whose mask is 1.
    let last_hidden_state_unpadded: [[[Float]]]
    let mean_pooled: [[Float]]
    /// The last hidden state at the first position.
    let cls: [[Float]]

    init(family: String) throws {
        let file = try TestPaths.fixture("families/\(family)/expected_outputs.json")
        self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: file))
    }

    /// Every text in one batch padded to the longest, as transformers encoded them.
    var paddedBatch: TokenBatch {
        TokenBatch(ids: input_ids.flatMap { $0 }, attentionMask: attention_mask.flatMap { $0 }, batch: input_ids.count,
                   tokens: input_ids[0].count)
    }

    /// Text `row` alone, without padding.
    func unpadded(_ row: Int) -> TokenBatch {
        let length = attention_mask[row].reduce(0, +)
        return TokenBatch(ids: Array(input_ids[row].prefix(length)), attentionMask: [Int](repeating: 1, count: length), batch: 1, tokens: length)
    }

    /// The largest difference from transformers and the largest absolute expected value, of one output.
    struct Difference: CustomStringConvertible {
        var worst: Float
        var scale: Float
        /// Within the acceptance bound, 1e-4 of the scale.
        var isClose: Bool { worst <= 1e-4 * scale }
        var description: String { "largest difference \(worst) at scale \(scale)" }
    }

    /// How far `model`'s last hidden states (mask-1 positions), mean pooling and first-position
    /// states are from transformers', for every text: in one padded batch, or each text alone.
    func differences(_ model: some TextEncoderModel, padded: Bool) -> (states: Difference, mean: Difference, cls: Difference) {
        var states: [[Float]] = [], mean: [[Float]] = [], cls: [[Float]] = []
        func read(_ batch: TokenBatch, rows: Range<Int>) {
            let output = withoutGradient { model(batch) }
            let last = output.lastHiddenState.scalars, width = model.hiddenSize
            let pooled = withoutGradient { Pooling(mode: .mean)(output, attentionMask: batch.attentionMask) }.scalars
            for (index, row) in rows.enumerated() {
                let length = attention_mask[row].reduce(0, +)
                let start = index * batch.tokens * width
                states.append(Array(last[start..<(start + length * width)]))
                cls.append(Array(last[start..<(start + width)]))
                mean.append(Array(pooled[(index * width)..<((index + 1) * width)]))
            }
        }
        if padded {
            read(paddedBatch, rows: 0..<input_ids.count)
        } else {
            for row in input_ids.indices { read(unpadded(row), rows: row..<(row + 1)) }
        }
        func difference(_ got: [[Float]], _ expected: [[Float]]) -> Difference {
            let scale = expected.flatMap { $0 }.map(abs).max()!
            #expect(got.map(\.count) == expected.map(\.count))
            let worst = zip(got.flatMap { $0 }, expected.flatMap { $0 }).map { abs($0 - $1) }.max()!
            return Difference(worst: worst, scale: scale)
        }
        return (difference(states, last_hidden_state_unpadded.map { $0.flatMap { $0 } }), difference(mean, mean_pooled), difference(cls, self.cls))
    }
}

/// Whether the JSON values `a` and `b` are equal, numbers within single precision (the
/// configurations keep rates and epsilons as `Float`).
func sameJSONValue(_ a: Any, _ b: Any) -> Bool {
    switch (a, b) {
    case let (x as String, y as String): x == y
    case let (x as NSNumber, y as NSNumber): abs(x.doubleValue - y.doubleValue) <= 1e-6 * max(abs(x.doubleValue), abs(y.doubleValue))
    case let (x as [Any], y as [Any]): x.count == y.count && zip(x, y).allSatisfy { sameJSONValue($0, $1) }
    case let (x as [String: Any], y as [String: Any]): Set(x.keys) == Set(y.keys) && x.allSatisfy { sameJSONValue($0.value, y[$0.key]!) }
    default: false
    }
}

/// `object` written as a `config.json` in a fresh temporary folder.
func writeConfiguration(_ object: [String: Any]) throws -> URL {
    let file = try TestPaths.temporaryDirectory().appendingPathComponent("config.json")
    try JSONSerialization.data(withJSONObject: object).write(to: file)
    return file
}

/// A fixture's `config.json` as a dictionary, to alter in tests.
func fixtureConfiguration(_ family: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.fixture("families/\(family)/config.json"))) as! [String: Any]
}
