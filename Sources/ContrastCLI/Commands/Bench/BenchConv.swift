import ArgumentParser
import Tensors

/// `contrast bench conv`: forward+backward throughput of `conv2d` at the shapes of a small ResNet.
struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "GFLOP/s of conv2d forward and backward (im2col + GEMM) at small-ResNet shapes, next to one plain GEMM of the same size.",
        discussion: """
            Shapes: 3x3 convolutions of a 28x28 batch as the default ResNet's stages see them (stem, stage 1 at 28x28, \
            the strided entry of stage 2, stage 2 at 14x14, stage 3 at 7x7). A forward+backward computes the output, \
            the input gradient and the weight gradient: three times the forward's 2·Cout·Cin·9·OH·OW operations per \
            image. The reference is one GEMM [Cout, Cin·9] x [Cin·9, N·OH·OW] with the forward's operation count. \
            Each figure is the fastest of --repeats runs, convolution and GEMM alternating.
            """)

    @Option(name: .customLong("batch-size"), help: "Images per batch.") var batch = 256
    @Option(help: "Timed repetitions (after 3 warm-up runs); the fastest counts.") var repeats = 10
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Case {
        let name: String
        let inputChannels, outputChannels, size, stride: Int
    }

    struct Measurement: Encodable {
        let name: String
        let input: [Int]
        let weight: [Int]
        let stride: Int
        let ms_forward, ms_backward: Double
        let gflops: Double
        let gemm_gflops: Double
        let ratio_to_gemm: Double
    }

    struct Result: Encodable {
        let batch: Int
        let convolutions: [Measurement]
        let threads: Int
    }

    static let cases = [
        Case(name: "stem", inputChannels: 1, outputChannels: 16, size: 28, stride: 1),
        Case(name: "stage1", inputChannels: 16, outputChannels: 16, size: 28, stride: 1),
        Case(name: "stage2-down", inputChannels: 16, outputChannels: 32, size: 28, stride: 2),
        Case(name: "stage2", inputChannels: 32, outputChannels: 32, size: 14, stride: 1),
        Case(name: "stage3", inputChannels: 64, outputChannels: 64, size: 7, stride: 1),
    ]

    func validate() throws {
        guard batch > 0, repeats > 0 else { throw ValidationError("--batch-size and --repeats must be positive") }
    }

    func measure(_ c: Case) -> Measurement {
        let x = Tensor.randn([batch, c.inputChannels, c.size, c.size], seed: 1).requiringGradient()
        let w = Tensor.randn([c.outputChannels, c.inputChannels, 3, 3], seed: 2).requiringGradient()
        let shape = Kernels.Convolution2DShape(batch: batch, inputChannels: c.inputChannels, height: c.size, width: c.size,
                                               outputChannels: c.outputChannels, window: Window2D(kernel: 3, stride: c.stride, padding: 1))
        let outputs = shape.outputHeight * shape.outputWidth
        let k = c.inputChannels * 9, columns = batch * outputs
        let a = Tensor.randn([c.outputChannels, k], seed: 3), b = Tensor.randn([k, columns], seed: 4), product = Tensor.zeros([c.outputChannels, columns])
        let gradient = Tensor.randn([batch, c.outputChannels, shape.outputHeight, shape.outputWidth], seed: 5)
        let (forward, gemm) = Stopwatch.interleavedBest(repeats: repeats, { _ = withoutGradient { x.conv2d(weight: w, stride: c.stride, padding: 1) } }, {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    product.withUnsafeMutableBufferPointer { pc in
                        GEMM.multiply(transposeA: false, transposeB: false, m: c.outputChannels, n: columns, k: k,
                                      a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: columns, c: pc.baseAddress!, ldc: columns)
                    }
                }
            }
        })
        // Each backward needs its own recorded forward; time the backward alone.
        var best = Double.infinity
        for run in 0..<(repeats + 3) {
            x.zeroGrad()
            w.zeroGrad()
            let out = x.conv2d(weight: w, stride: c.stride, padding: 1)
            let seconds = Stopwatch.seconds { out.backward(gradient) }
            if run >= 3 { best = min(best, seconds) }
        }
        let flops = Double(shape.forwardFlopsPerImage * batch)
        return Measurement(name: c.name, input: x.shape, weight: w.shape, stride: c.stride, ms_forward: forward * 1e3, ms_backward: best * 1e3,
                           gflops: 3 * flops / (forward + best) / 1e9, gemm_gflops: flops / gemm / 1e9,
                           ratio_to_gemm: (3 * flops / (forward + best)) / (flops / gemm))
    }

    func run() throws {
        let results = Self.cases.map(measure)
        for r in results {
            Report.result(json: json, "\(r.name.padding(toLength: 12, withPad: " ", startingAt: 0)) x \(r.input) w \(r.weight) stride \(r.stride): "
                + "fwd \(Format.fixed(r.ms_forward, 2)) ms, bwd \(Format.fixed(r.ms_backward, 2)) ms, \(Format.fixed(r.gflops, 1)) GFLOP/s "
                + "(GEMM \(Format.fixed(r.gemm_gflops, 1)), ratio \(Format.fixed(r.ratio_to_gemm, 2)))")
        }
        if json { try Report.json(Result(batch: batch, convolutions: results, threads: Parallel.threadCount)) }
    }
}
