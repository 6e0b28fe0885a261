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
            Sizes are those of all-MiniLM-L6-v2 on a batch of 64 x 32 tokens. Bandwidth counts the bytes \
            each kernel pair must move at least (forward reads x and writes y; backward reads what it \
            needs and writes dx), so it is comparable with the copy's read+write bandwidth. Each figure \
            is the fastest of --repeats runs, kernel and copy alternating.
            """)

    @Option(help: "Timed repetitions (after 3 warm-up runs).") var repeats = 30
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Measurement: Encodable {
        let op: String
        let rows: Int
        let width: Int
        let ms: Double
        let ms_forward: Double
        let ms_backward: Double
        let gbps: Double
        let copy_gbps: Double
        let ratio_to_copy: Double
    }

    struct Result: Encodable {
        let ops: [Measurement]
        let threads: Int
    }

    /// Preallocated buffers for one kernel pair.
    final class Buffers {
        let x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>
        let count: Int
        init(count: Int) {
            self.count = count
            func make() -> UnsafeMutablePointer<Float> {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
                for i in 0..<count { p[i] = Float(i % 97) * 0.01 - 0.4 }
                return p
            }
            (x, y, dy, dx) = (make(), make(), make(), make())
        }
        deinit { [x, y, dy, dx].forEach { $0.deallocate() } }
    }

    func measure(_ op: String, rows: Int, width: Int, bytesPerElement: Double,
                 forward: (Buffers) -> Void, backward: (Buffers) -> Void) -> Measurement {
        let buffers = Buffers(count: rows * width)
        // Kernel and copy runs alternate and each keeps its fastest run, so that both see the
        // same machine state (other load, frequency) and noise only ever slows a run down.
        let (seconds, copySeconds) = Stopwatch.interleavedBest(repeats: repeats, { forward(buffers); backward(buffers) }, {
            Kernels.copy(buffers.x, buffers.y, buffers.count)
        })
        let (forwardSeconds, backwardSeconds) = Stopwatch.interleavedBest(repeats: repeats, { forward(buffers) }, { backward(buffers) })
        let elements = Double(buffers.count)
        let gbps = elements * bytesPerElement / seconds / 1e9
        let copyGbps = elements * 8 / copySeconds / 1e9
        return Measurement(op: op, rows: rows, width: width, ms: seconds * 1e3, ms_forward: forwardSeconds * 1e3,
                           ms_backward: backwardSeconds * 1e3, gbps: gbps, copy_gbps: copyGbps, ratio_to_copy: gbps / copyGbps)
    }

    func run() throws {
        let tokens = 64 * 32, hidden = 384, ffn = 1536, heads = 12, seq = 32
        let mean = UnsafeMutablePointer<Float>.allocate(capacity: tokens), rstd = UnsafeMutablePointer<Float>.allocate(capacity: tokens)
        let weight = UnsafeMutablePointer<Float>.allocate(capacity: hidden), bias = UnsafeMutablePointer<Float>.allocate(capacity: hidden)
        let dweight = UnsafeMutablePointer<Float>.allocate(capacity: hidden), dbias = UnsafeMutablePointer<Float>.allocate(capacity: hidden)
        defer { [mean, rstd, weight, bias, dweight, dbias].forEach { $0.deallocate() } }
        weight.update(repeating: 1, count: hidden)
        bias.update(repeating: 0, count: hidden)
        dweight.update(repeating: 0, count: hidden)
        dbias.update(repeating: 0, count: hidden)
        let results = [
            // Attention probabilities: one row per (sequence, head, query).
            measure("softmax", rows: 64 * heads * seq, width: seq, bytesPerElement: 20,
                    forward: { b in Kernels.softmaxForward(b.x, b.y, rows: 64 * heads * seq, n: seq) },
                    backward: { b in Kernels.softmaxBackward(b.y, b.dy, b.dx, rows: 64 * heads * seq, n: seq) }),
            measure("layernorm", rows: tokens, width: hidden, bytesPerElement: 20,
                    forward: { b in Kernels.layerNormForward(b.x, weight, bias, b.y, mean: mean, rstd: rstd, rows: tokens, n: hidden, eps: 1e-12) },
                    backward: { b in
                        Kernels.layerNormBackward(b.x, weight, mean: mean, rstd: rstd, b.dy, b.dx, dweight: dweight, dbias: dbias, rows: tokens, n: hidden)
                    }),
            measure("gelu", rows: tokens, width: ffn, bytesPerElement: 20,
                    forward: { b in Kernels.geluForward(b.x, b.y, b.count) },
                    backward: { b in Kernels.geluBackward(b.x, b.dy, b.dx, b.count) }),
            measure("dropout", rows: tokens, width: hidden, bytesPerElement: 16,
                    forward: { b in Kernels.dropoutForward(b.x, b.y, b.count, p: 0.1, seed: 1, stream: 2) },
                    backward: { b in Kernels.dropoutBackward(b.dy, b.dx, b.count, p: 0.1, seed: 1, stream: 2) }),
        ]
        for r in results {
            Report.info("\(r.op.padding(toLength: 10, withPad: " ", startingAt: 0)) [\(r.rows) x \(r.width)] fwd+bwd \(Format.fixed(r.ms, 3)) ms "
                + "(fwd \(Format.fixed(r.ms_forward, 3)), bwd \(Format.fixed(r.ms_backward, 3)))  "
                + "\(Format.fixed(r.gbps, 1)) GB/s  (copy \(Format.fixed(r.copy_gbps, 1)) GB/s, ratio \(Format.fixed(r.ratio_to_copy, 2)))")
        }
        if json { try Report.json(Result(ops: results, threads: Parallel.threadCount)) }
    }
}
