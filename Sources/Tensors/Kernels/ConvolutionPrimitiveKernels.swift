import CDNNL

/// 2-D convolution of NCHW images through oneDNN's direct convolution primitives (forward,
/// backward data, backward weights), the alternative to im2col + GEMM that `Tensor.conv2d` takes
/// where it is faster (``Kernels/usesConvolutionPrimitive(_:)``). The primitives run on blocked
/// layouts (nChw16c on AVX-512, nChw8c on AVX2); the operands are reordered to and from them
/// inside each call, which costs a pass over each tensor but keeps every tensor NCHW outside.
extension Kernels {
    /// The passes of a convolution that oneDNN runs.
    public enum ConvolutionPass: Int32, Sendable {
        case forward = 0, backwardData = 1, backwardWeights = 2
    }

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

    /// Runs `pass` of the convolution `s` (see `cdnnl_convolution` for which buffers each pass
    /// reads and writes; gradients are overwritten, not accumulated) and records its implementation.
    public static func convolutionPrimitive(
        _ pass: ConvolutionPass, shape s: Convolution2DShape, src: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, dst: UnsafePointer<Float>
    ) {
        let w = s.window
        let dims = [s.batch, s.inputChannels, s.height, s.width, s.outputChannels, w.kernelHeight, w.kernelWidth,
                    w.strideHeight, w.strideWidth, w.paddingHeight, w.paddingWidth].map(Int64.init)
        let runtime = OneDNNRuntime.shared
        let recording = GEMM.isRecording
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { name in
            let status = cdnnl_convolution(runtime.engine, runtime.stream, pass.rawValue, dims, UnsafeMutablePointer(mutating: src),
                                           UnsafeMutablePointer(mutating: weights), bias.map { UnsafeMutablePointer(mutating: $0) },
                                           UnsafeMutablePointer(mutating: dst), recording ? name.baseAddress : nil, recording ? name.count : 0)
            ensure(status == dnnl_success, "conv2d: oneDNN convolution (\(pass)) failed with status \(status.rawValue) for \(s)")
            if recording { GEMM.record(String(cString: name.baseAddress!)) }
        }
    }
}
