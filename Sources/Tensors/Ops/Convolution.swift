/// 2-D convolution of NCHW images: im2col + GEMM (`Kernels.conv2dForward`) or oneDNN's direct
/// convolution primitives (`Kernels.convolutionPrimitiveForward`), whichever is faster for the shape
/// (`Kernels.usesConvolutionPrimitive`).
extension Tensor {
    /// The cross-correlation of this `[N, C, H, W]` batch with `weight` `[Cout, C, kh, kw]`, plus
    /// `bias` `[Cout]` when given (PyTorch's `conv2d`); the result is `[N, Cout, OH, OW]` with
    /// `OH = (H + 2·padding - kh) / stride + 1`.
    ///
    /// ```swift
    /// let y = images.conv2d(weight: w, bias: b, stride: 1, padding: 1)   // 3x3 "same" convolution
    /// ```
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        ensure(rank == 4, "conv2d: input must be [batch, channels, height, width], got \(shape)")
        ensure(weight.rank == 4 && weight.shape[1] == shape[1],
               "conv2d: weight \(weight.shape) must be [out channels, \(shape[1]), kh, kw] for input \(shape)")
        ensure(bias == nil || bias!.shape == [weight.shape[0]], "conv2d: bias \(bias?.shape ?? []) must be [\(weight.shape[0])] for weight \(weight.shape)")
        let window = Window2D(kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], strideHeight: stride, strideWidth: stride,
                              paddingHeight: padding, paddingWidth: padding)
        window.check(height: shape[2], width: shape[3], op: "conv2d", inputShape: shape)
        let s = Kernels.Convolution2DShape(batch: shape[0], inputChannels: shape[1], height: shape[2], width: shape[3],
                                           outputChannels: weight.shape[0], window: window)
        let out = Tensor(uninitialized: [s.batch, s.outputChannels, s.outputHeight, s.outputWidth])
        let biasTensor = bias ?? Tensor.zeros([0])
        let primitive = Kernels.usesConvolutionPrimitive(s)
        Tensor.withData(self, weight, biasTensor, out) { p in
            let b = bias == nil ? nil : UnsafePointer(p[2])
            if primitive {
                Kernels.convolutionPrimitiveForward(p[0], p[1], bias: b, p[3], shape: s)
            } else {
                Kernels.conv2dForward(p[0], p[1], bias: b, p[3], shape: s)
            }
        }
        return out.recorded("conv2d", [self, weight] + (bias.map { [$0] } ?? [])) { g in
            let dx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let db = bias?.requiresGrad == true ? Tensor.zeros(bias!.shape) : nil
            // The primitive writes the weight gradient whenever it computes the bias's.
            let dw = weight.requiresGrad || (primitive && db != nil) ? Tensor.zeros(weight.shape) : nil
            Tensor.withData(self, weight, g) { p in
                withExtendedLifetime((dx, dw, db)) {
                    guard primitive else {
                        Kernels.conv2dBackward(p[0], p[1], p[2], dx: dx?.storage.base, dweight: dw?.storage.base, dbias: db?.storage.base, shape: s)
                        return
                    }
                    Kernels.convolutionPrimitiveBackward(p[0], p[1], p[2], dx: dx?.storage.base, dweight: dw?.storage.base, dbias: db?.storage.base, shape: s)
                }
            }
            return [dx, weight.requiresGrad ? dw : nil] + (bias == nil ? [] : [db])
        }
    }
}
