import Foundation

import ArgumentParser
import Tensors

/// `contrast bench ops`: forward+backward bandwidth of the fused kernels at transformer sizes,
/// next to a plain copy of the same number of elements.
struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Forward+backward throughput of softmax, LayerNorm, GELU and dropout next to a memory copy.",
        discussion: """
            Two transformer shapes: all-MiniLM-L6-v2 on a batch of 64 x 32 tokens (the toolkit's \
            training step; its 3 MB tensors stay in a large last-level cache, so the copy measures \
            cache bandwidth) and BERT-base on a batch of 32 x 128 tokens (tensors of 12-50 MB, so \
            kernels and copy stream from memory). Bandwidth counts the bytes each kernel pair must \
            move at least (forward reads x and writes y; backward reads what it needs and writes dx), \
            so it is comparable with the copy's read+write bandwidth. Each figure is the fastest of \
            --repeats runs, kernel and copy alternating.
            """)

    /// A transformer's sizes: the tensors its softmax, LayerNorm, GELU and dropout see.
    enum Shape: String, ExpressibleByArgument, CaseIterable {
        case minilm, bertBase = "bert-base"

        /// (sequences, tokens per sequence, hidden size, attention heads, feed-forward size)
        var sizes: (batch: Int, sequence: Int, hidden: Int, heads: Int, ffn: Int) {
            switch self {
            case .minilm: (64, 32, 384, 12, 1536)
            case .bertBase: (32, 128, 768, 12, 3072)
            }
        }
    }

    @Option(help: "Timed repetitions (after 3 warm-up runs).") var repeats = 30
    @Option(name: .customLong("shape"), help: "Shapes to measure (repeatable).")
    var shapes: [Shape] = Shape.allCases
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Measurement: Encodable {
        let op: String
        let shape: String
        let rows: Int
        let width: Int
        let ms: Double
        let ms_forward: Double
        let ms_backward: Double
        let gbps: Double
        let copy_gbps: Double
        let ratio_to_copy: Double
        /// The four buffers a kernel pair touches (x, y, dy, dx), in MB: above the last-level cache
        /// size, kernels and copy stream from memory.
        let working_set_mb: Double
    }

    struct Result: Encodable {
        let ops: [Measurement]
        let threads: Int
    }

    /// The four buffers of one kernel pair, as pointers into tensors: allocated as the engine
    /// allocates activations (64-byte aligned; large ones from its mapped blocks), so the kernels
    /// see the alignment they see in training.
    struct Buffers {
        let x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>
        let count: Int

        /// Calls `body` with buffers of `count` elements, valid during the call.
        static func with<R>(count: Int, _ body: (Buffers) -> R) -> R {
            let values = Tensor((0..<count).map { Float($0 % 97) * 0.01 - 0.4 }, shape: [count])
            let tensors = [values] + (1..<4).map { _ in values.copy() }
            return tensors[0].withUnsafeMutableBufferPointer { x in
                tensors[1].withUnsafeMutableBufferPointer { y in
                    tensors[2].withUnsafeMutableBufferPointer { dy in
                        tensors[3].withUnsafeMutableBufferPointer { dx in
                            body(Buffers(x: x.baseAddress!, y: y.baseAddress!, dy: dy.baseAddress!, dx: dx.baseAddress!, count: count))
                        }
                    }
                }
            }
        }
    }

    func measure(_ op: String, shape: Shape, rows: Int, width: Int, bytesPerElement: Double,
                 forward: (Buffers) -> Void, backward: (Buffers) -> Void) -> Measurement {
        // Kernel and copy runs alternate and each keeps its fastest run, so that both see the
        // same machine state (other load, frequency) and noise only ever slows a run down.
        let (seconds, copySeconds, forwardSeconds, backwardSeconds) = Buffers.with(count: rows * width) { buffers in
            let (seconds, copySeconds) = Stopwatch.interleavedBest(repeats: repeats, { forward(buffers); backward(buffers) }, {
                Kernels.copy(buffers.x, buffers.y, buffers.count)
            })
            let (forwardSeconds, backwardSeconds) = Stopwatch.interleavedBest(repeats: repeats, { forward(buffers) }, { backward(buffers) })
            return (seconds, copySeconds, forwardSeconds, backwardSeconds)
        }
        let elements = Double(rows * width)
        let gbps = elements * bytesPerElement / seconds / 1e9
        let copyGbps = elements * 8 / copySeconds / 1e9
        return Measurement(op: op, shape: shape.rawValue, rows: rows, width: width, ms: seconds * 1e3, ms_forward: forwardSeconds * 1e3,
                           ms_backward: backwardSeconds * 1e3, gbps: gbps, copy_gbps: copyGbps, ratio_to_copy: gbps / copyGbps,
                           working_set_mb: elements * 16 / 1e6)
    }

    func run() throws {
        let results = shapes.flatMap(measure)
        for r in results {
            Report.result(json: json, "\(r.shape.padding(toLength: 10, withPad: " ", startingAt: 0)) \(r.op.padding(toLength: 10, withPad: " ", startingAt: 0)) [\(r.rows) x \(r.width)] fwd+bwd \(Format.fixed(r.ms, 3)) ms "
                + "(fwd \(Format.fixed(r.ms_forward, 3)), bwd \(Format.fixed(r.ms_backward, 3)))  "
                + "\(Format.fixed(r.gbps, 1)) GB/s  (copy \(Format.fixed(r.copy_gbps, 1)) GB/s, ratio \(Format.fixed(r.ratio_to_copy, 2)))")
        }
        if json { try Report.json(Result(ops: results, threads: Parallel.threadCount)) }
    }

    /// The four kernel pairs at one shape's sizes.
    func measure(_ shape: Shape) -> [Measurement] {
        let (batch, sequence, hidden, heads, ffn) = shape.sizes
        let tokens = batch * sequence, attentionRows = batch * heads * sequence
        let mean = UnsafeMutablePointer<Float>.allocate(capacity: tokens), rstd = UnsafeMutablePointer<Float>.allocate(capacity: tokens)
        let weight = UnsafeMutablePointer<Float>.allocate(capacity: hidden), bias = UnsafeMutablePointer<Float>.allocate(capacity: hidden)
        let dweight = UnsafeMutablePointer<Float>.allocate(capacity: hidden), dbias = UnsafeMutablePointer<Float>.allocate(capacity: hidden)
        defer { [mean, rstd, weight, bias, dweight, dbias].forEach { $0.deallocate() } }
        weight.update(repeating: 1, count: hidden)
        bias.update(repeating: 0, count: hidden)
        dweight.update(repeating: 0, count: hidden)
        dbias.update(repeating: 0, count: hidden)
        return [
            // Attention probabilities: one row per (sequence, head, query).
            measure("softmax", shape: shape, rows: attentionRows, width: sequence, bytesPerElement: 20,
                    forward: { b in Kernels.softmaxForward(b.x, b.y, rows: attentionRows, n: sequence) },
                    backward: { b in Kernels.softmaxBackward(b.y, b.dy, b.dx, rows: attentionRows, n: sequence) }),
            measure("layernorm", shape: shape, rows: tokens, width: hidden, bytesPerElement: 20,
                    forward: { b in Kernels.layerNormForward(b.x, weight, bias, b.y, mean: mean, rstd: rstd, rows: tokens, n: hidden, eps: 1e-12) },
                    backward: { b in
                        Kernels.layerNormBackward(b.x, weight, mean: mean, rstd: rstd, b.dy, b.dx, dweight: dweight, dbias: dbias, rows: tokens, n: hidden)
                    }),
            measure("gelu", shape: shape, rows: tokens, width: ffn, bytesPerElement: 20,
                    forward: { b in Kernels.geluForward(b.x, b.y, b.count) },
                    backward: { b in Kernels.geluBackward(b.x, b.dy, b.dx, b.count) }),
            measure("dropout", shape: shape, rows: tokens, width: hidden, bytesPerElement: 16,
                    forward: { b in Kernels.dropoutForward(b.x, b.y, b.count, p: 0.1, seed: 1, stream: 2) },
                    backward: { b in Kernels.dropoutBackward(b.dy, b.dx, b.count, p: 0.1, seed: 1, stream: 2) }),
        ]
    }
}
