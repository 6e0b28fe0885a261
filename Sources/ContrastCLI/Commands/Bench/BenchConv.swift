import ArgumentParser
import Tensors

/// `contrast bench conv`: forward+backward throughput of `conv2d` at the shapes of a small ResNet.
struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Milliseconds of conv2d forward and backward at the ResNets' shapes, im2col + GEMM next to oneDNN's convolution primitives.",
        discussion: """
            Shapes: the convolutions of a 28x28 batch as ResNet-8 (stages 16-32-64) and ResNet-8-wide (16-64-256, SimCLR's \
            default encoder) see them, 3x3 and the 1x1 projection shortcuts. A backward computes the input and the weight \
            gradients. Both paths run on the same buffers, alternating; each figure is the fastest of --repeats runs. \
            `chosen` is the path conv2d takes for the shape (Kernels.usesConvolutionPrimitive).
            """)

    @Option(name: .customLong("batch-size"), help: "Images per batch.") var batch = 256
    @Option(help: "Timed repetitions (after 3 warm-up runs); the fastest counts.") var repeats = 10
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Case {
        let name: String
        let inputChannels, outputChannels, size, kernel, stride: Int
    }

    struct Measurement: Encodable {
        let name: String
        let input: [Int]
        let weight: [Int]
        let stride: Int
        /// im2col + GEMM, and oneDNN's primitives with the reorders to and from their layouts.
        let ms_forward, ms_backward, primitive_ms_forward, primitive_ms_backward: Double
        /// GFLOP/s of forward + backward (three times the forward's operations) of each path.
        let gflops, primitive_gflops: Double
        let chosen: String
    }

    struct Result: Encodable {
        let batch: Int
        let convolutions: [Measurement]
        let threads: Int
        let isa: String
    }

    static let cases = [
        Case(name: "stem", inputChannels: 1, outputChannels: 16, size: 28, kernel: 3, stride: 1),
        Case(name: "stage1", inputChannels: 16, outputChannels: 16, size: 28, kernel: 3, stride: 1),
        Case(name: "stage2-down", inputChannels: 16, outputChannels: 32, size: 28, kernel: 3, stride: 2),
        Case(name: "stage2", inputChannels: 32, outputChannels: 32, size: 14, kernel: 3, stride: 1),
        Case(name: "stage3", inputChannels: 64, outputChannels: 64, size: 7, kernel: 3, stride: 1),
        Case(name: "wide2-down", inputChannels: 16, outputChannels: 64, size: 28, kernel: 3, stride: 2),
        Case(name: "wide2-short", inputChannels: 16, outputChannels: 64, size: 28, kernel: 1, stride: 2),
        Case(name: "wide2", inputChannels: 64, outputChannels: 64, size: 14, kernel: 3, stride: 1),
        Case(name: "wide3-down", inputChannels: 64, outputChannels: 256, size: 14, kernel: 3, stride: 2),
        Case(name: "wide3-short", inputChannels: 64, outputChannels: 256, size: 14, kernel: 1, stride: 2),
        Case(name: "wide3", inputChannels: 256, outputChannels: 256, size: 7, kernel: 3, stride: 1),
    ]

    func validate() throws {
        guard batch > 0, repeats > 0 else { throw ValidationError("--batch-size and --repeats must be positive") }
    }

    func measure(_ c: Case) -> Measurement {
        let shape = Kernels.Convolution2DShape(batch: batch, inputChannels: c.inputChannels, height: c.size, width: c.size, outputChannels: c.outputChannels,
                                               window: Window2D(kernel: c.kernel, stride: c.stride, padding: c.kernel / 2))
        let xShape = [batch, c.inputChannels, c.size, c.size], wShape = [c.outputChannels, c.inputChannels, c.kernel, c.kernel]
        let yCount = batch * c.outputChannels * shape.outputHeight * shape.outputWidth
        let x = Self.buffer(xShape.reduce(1, *), seed: 1), w = Self.buffer(wShape.reduce(1, *), seed: 2), dy = Self.buffer(yCount, seed: 3)
        let y = Self.buffer(yCount, seed: 4), dx = Self.buffer(xShape.reduce(1, *), seed: 5), dw = Self.buffer(wShape.reduce(1, *), seed: 6)
        defer { for buffer in [x, w, dy, y, dx, dw] { buffer.deallocate() } }
        let (forward, primitiveForward) = Stopwatch.interleavedBest(repeats: repeats, { Kernels.conv2dForward(x, w, bias: nil, y, shape: shape) },
                                                                    { Kernels.convolutionPrimitiveForward(x, w, bias: nil, y, shape: shape) })
        let (backward, primitiveBackward) = Stopwatch.interleavedBest(repeats: repeats, { Kernels.conv2dBackward(x, w, dy, dx: dx, dweight: dw, dbias: nil, shape: shape) }, {
            Kernels.convolutionPrimitiveBackward(x, w, dy, dx: dx, dweight: dw, dbias: nil, shape: shape)
        })
        let flops = 3 * Double(shape.forwardFlopsPerImage * batch)
        return Measurement(name: c.name, input: xShape, weight: wShape, stride: c.stride, ms_forward: forward * 1e3, ms_backward: backward * 1e3,
                           primitive_ms_forward: primitiveForward * 1e3, primitive_ms_backward: primitiveBackward * 1e3,
                           gflops: flops / (forward + backward) / 1e9, primitive_gflops: flops / (primitiveForward + primitiveBackward) / 1e9,
                           chosen: Kernels.usesConvolutionPrimitive(shape) ? "primitive" : "im2col")
    }

    /// `count` random normal floats (deallocated by the caller).
    static func buffer(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        Tensor.randn([count], seed: seed).withUnsafeBufferPointer { buffer.initialize(from: $0.baseAddress!, count: count) }
        return buffer
    }

    func run() throws {
        let (results, kernels) = GEMM.recordingImplementations { Self.cases.map(measure) }
        Report.warnAboutReferenceKernels(KernelReport(kernels))
        for r in results {
            Report.result(json: json, "\(r.name.padding(toLength: 12, withPad: " ", startingAt: 0)) x \(r.input) w \(r.weight) stride \(r.stride): "
                + "im2col fwd \(Format.fixed(r.ms_forward, 2)) bwd \(Format.fixed(r.ms_backward, 2)) ms (\(Format.fixed(r.gflops, 1)) GFLOP/s), "
                + "oneDNN fwd \(Format.fixed(r.primitive_ms_forward, 2)) bwd \(Format.fixed(r.primitive_ms_backward, 2)) ms "
                + "(\(Format.fixed(r.primitive_gflops, 1)) GFLOP/s); conv2d takes \(r.chosen)")
        }
        if json { try Report.json(Result(batch: batch, convolutions: results, threads: Parallel.threadCount, isa: OneDNN.isa)) }
    }
}
