import CDNNL

/// 2-D convolution of NCHW images through oneDNN's direct convolution primitives (forward,
/// backward data, backward weights), the alternative to im2col + GEMM that `Tensor.conv2d` takes
/// where it is faster (``Kernels/usesConvolutionPrimitive(_:)``). The primitives run on blocked
/// layouts (nChw16c on AVX-512, nChw8c on AVX2); the operands are reordered to and from them
/// inside each call, which costs a pass over each tensor but keeps every tensor NCHW outside.
extension Kernels {
    /// Whether `Tensor.conv2d` runs `s` through oneDNN's primitives rather than im2col + GEMM.
    ///
    /// Measured with `contrast bench conv --batch-size 512` (both paths on the same buffers,
    /// alternating; ResNet-8 and ResNet-8-wide shapes, AVX-512, 1 thread of a shared machine): on
    /// 3x3 convolutions of 16 or more input channels forward + backward through the primitives
    /// take 0.8-0.9x the time of im2col + GEMM on 28x28 and 14x14 maps and 0.55-0.75x on 7x7 maps
    /// (whose short rows make thin GEMMs); they take 1.3-1.5x on the strided 1x1 shortcuts and 4x
    /// on the stem (one input channel: its column matrix is small), and a window no larger than
    /// its stride (a ViT's patches) makes im2col a mere permutation. Each call also creates a
    /// primitive and reorders every operand, so small convolutions stay with im2col.
    public static func usesConvolutionPrimitive(_ s: Convolution2DShape) -> Bool {
        let w = s.window
        let overlapping = w.kernelHeight > w.strideHeight && w.kernelWidth > w.strideWidth
        return overlapping && w.kernelHeight > 1 && w.kernelWidth > 1 && s.inputChannels >= 16 && s.forwardFlopsPerImage * s.batch >= 1 << 26
    }

    /// `y = conv(x, weight) + bias` through oneDNN's forward primitive (`x` `[N, C, H, W]`,
    /// `weight` `[Cout, C, kh, kw]`, `bias` `[Cout]` or `nil`, `y` `[N, Cout, OH, OW]`), recording its implementation.
    public static func convolutionPrimitiveForward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, shape s: Convolution2DShape
    ) {
        withImplementationNames(2) { names, capacity in
            cdnnl_convolution_forward(OneDNNRuntime.shared.engine, OneDNNRuntime.shared.stream, dimensions(s), UnsafeMutablePointer(mutating: x),
                                      UnsafeMutablePointer(mutating: weight), bias.map { UnsafeMutablePointer(mutating: $0) }, y, names[0], capacity)
        } failure: { "forward of \(s)" }
    }

    /// The gradients of `convolutionPrimitiveForward` from `dy` through oneDNN's backward-data and
    /// backward-weights primitives (sharing `dy` in their layout): writes `dx`, and overwrites
    /// (does not accumulate) `dweight` and `dbias`; any may be `nil`, but `dbias` needs `dweight`.
    public static func convolutionPrimitiveBackward(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?, shape s: Convolution2DShape
    ) {
        ensure(dbias == nil || dweight != nil, "conv2d: oneDNN computes the bias gradient with the weight gradient")
        withImplementationNames(2) { names, capacity in
            cdnnl_convolution_backward(OneDNNRuntime.shared.engine, OneDNNRuntime.shared.stream, dimensions(s), UnsafeMutablePointer(mutating: x),
                                       UnsafeMutablePointer(mutating: weight), UnsafeMutablePointer(mutating: dy), dx, dweight, dbias,
                                       dx == nil ? nil : names[0], dweight == nil ? nil : names[1], capacity)
        } failure: { "backward of \(s)" }
    }

    /// N, C, H, W, Cout, kh, kw, strides and paddings, as the shim takes them.
    private static func dimensions(_ s: Convolution2DShape) -> [Int64] {
        let w = s.window
        return [s.batch, s.inputChannels, s.height, s.width, s.outputChannels, w.kernelHeight, w.kernelWidth,
                w.strideHeight, w.strideWidth, w.paddingHeight, w.paddingWidth].map(Int64.init)
    }

    /// Runs `call` with `count` empty name buffers (or `nil`s when nothing records), stops with
    /// `failure` unless it succeeds, and records the names it wrote.
    private static func withImplementationNames(
        _ count: Int, _ call: ([UnsafeMutablePointer<CChar>?], Int) -> dnnl_status_t, failure: () -> String
    ) {
        let capacity = 64, recording = GEMM.isRecording
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count * capacity) { buffer in
            buffer.initialize(repeating: 0)
            let names = (0..<count).map { recording ? buffer.baseAddress! + $0 * capacity : nil }
            let status = call(names, recording ? capacity : 0)
            ensure(status == dnnl_success, "conv2d: oneDNN convolution failed with status \(status.rawValue) (\(failure()))")
            for name in names.compactMap({ $0 }) where name.pointee != 0 { GEMM.record(String(cString: name)) }
        }
    }
}
