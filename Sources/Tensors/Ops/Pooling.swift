/// Max, average and global average pooling of NCHW images.
extension Tensor {
    /// The `[planes, height, width]` view of a `[N, C, H, W]` input and its checked window.
    private func poolingPlanes(kernel: Int, stride: Int?, padding: Int, op: String) -> (planes: Int, height: Int, width: Int, window: Window2D) {
        ensure(rank == 4, "\(op): input must be [batch, channels, height, width], got \(shape)")
        let window = Window2D(kernel: kernel, stride: stride ?? kernel, padding: padding)
        window.check(height: shape[2], width: shape[3], op: op, inputShape: shape, paddingAtMostHalfKernel: true)
        return (shape[0] * shape[1], shape[2], shape[3], window)
    }

    /// The maximum over each `kernel x kernel` window (PyTorch's `max_pool2d`; `stride` defaults
    /// to `kernel`; padding never wins). The gradient flows to the first maximal element.
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        let (planes, h, w, window) = poolingPlanes(kernel: kernel, stride: stride, padding: padding, op: "maxPool2d")
        let out = Tensor(uninitialized: [shape[0], shape[1], window.outputHeight(h), window.outputWidth(w)])
        let outputCount = window.outputHeight(h) * window.outputWidth(w)
        var argmax = [Int32](repeating: 0, count: out.count)
        argmax.withUnsafeMutableBufferPointer { a in
            Tensor.withData(self, out) { p in
                Kernels.maxPool2dForward(p[0], p[1], argmax: a.baseAddress!, planes: planes, height: h, width: w, window: window)
            }
        }
        return out.recorded("maxPool2d", [self]) { g in
            let dx = Tensor(uninitialized: self.shape)
            argmax.withUnsafeBufferPointer { a in
                Tensor.withData(g, dx) { p in
                    Kernels.maxPool2dBackward(p[0], argmax: a.baseAddress!, p[1], planes: planes, height: h, width: w, outputCount: outputCount)
                }
            }
            return [dx]
        }
    }

    /// The mean over each `kernel x kernel` window (PyTorch's `avg_pool2d`; `stride` defaults to
    /// `kernel`). With `countingPadding` (PyTorch's default) padded positions count as zeros.
    public func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0, countingPadding: Bool = true) -> Tensor {
        let (planes, h, w, window) = poolingPlanes(kernel: kernel, stride: stride, padding: padding, op: "avgPool2d")
        let out = Tensor(uninitialized: [shape[0], shape[1], window.outputHeight(h), window.outputWidth(w)])
        Tensor.withData(self, out) { p in
            Kernels.avgPool2dForward(p[0], p[1], planes: planes, height: h, width: w, window: window, countingPadding: countingPadding)
        }
        return out.recorded("avgPool2d", [self]) { g in
            let dx = Tensor(uninitialized: self.shape)
            Tensor.withData(g, dx) { p in
                Kernels.avgPool2dBackward(p[0], p[1], planes: planes, height: h, width: w, window: window, countingPadding: countingPadding)
            }
            return [dx]
        }
    }

    /// The mean of each channel over its spatial positions: `[N, C, H, W]` (or any `[N, C, ...]`)
    /// to `[N, C]` (global average pooling, a ResNet's last layer).
    public func globalAveragePooled() -> Tensor {
        ensure(rank >= 3, "globalAveragePooled: input must be [batch, channels, spatial...], got \(shape)")
        return reshaped([shape[0], shape[1], -1]).mean(axis: 2)
    }
}
