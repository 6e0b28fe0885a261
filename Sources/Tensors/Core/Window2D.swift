/// The sliding window of a 2-D convolution or pooling over `[channels, height, width]` planes:
/// kernel extent, stride and zero padding on each spatial axis (PyTorch's `kernel_size`,
/// `stride`, `padding`).
public struct Window2D: Sendable, Equatable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int

    /// A window with separate extents per axis.
    public init(kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
                paddingHeight: Int = 0, paddingWidth: Int = 0) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight
        self.paddingWidth = paddingWidth
    }

    /// A square window.
    public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.init(kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                  paddingHeight: padding, paddingWidth: padding)
    }

    /// The number of window positions along an axis of `extent` (PyTorch's floor rule), or 0 when
    /// the padded input is smaller than the kernel.
    static func positions(_ extent: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        let span = extent + 2 * padding - kernel
        return span < 0 ? 0 : span / stride + 1
    }

    /// Output rows for an input of `height` rows.
    public func outputHeight(_ height: Int) -> Int {
        Window2D.positions(height, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight)
    }

    /// Output columns for an input of `width` columns.
    public func outputWidth(_ width: Int) -> Int {
        Window2D.positions(width, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth)
    }

    /// Stops with a message naming `op` and `inputShape` unless the window is valid for planes of
    /// `height x width` and yields at least one output position. Pooling (`paddingAtMostHalfKernel`)
    /// also refuses padding beyond half the kernel, as PyTorch does: a window could then lie wholly
    /// in the padding and have nothing to pool.
    func check(height: Int, width: Int, op: String, inputShape: [Int], paddingAtMostHalfKernel: Bool = false) {
        ensure(kernelHeight > 0 && kernelWidth > 0 && strideHeight > 0 && strideWidth > 0,
               "\(op): kernel \(kernelHeight)x\(kernelWidth) and stride \(strideHeight)x\(strideWidth) must be positive (input \(inputShape))")
        ensure(paddingHeight >= 0 && paddingWidth >= 0, "\(op): padding \(paddingHeight)x\(paddingWidth) must not be negative (input \(inputShape))")
        ensure(!paddingAtMostHalfKernel || (2 * paddingHeight <= kernelHeight && 2 * paddingWidth <= kernelWidth),
               "\(op): padding \(paddingHeight)x\(paddingWidth) must be at most half of kernel \(kernelHeight)x\(kernelWidth) (input \(inputShape))")
        ensure(outputHeight(height) > 0 && outputWidth(width) > 0,
               "\(op): kernel \(kernelHeight)x\(kernelWidth) with padding \(paddingHeight)x\(paddingWidth) does not fit input \(inputShape)")
    }

    /// Whether the window reads every input element once in place (a 1x1 kernel with unit stride
    /// and no padding): the column matrix of a convolution is then the input itself.
    var isIdentity: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && paddingHeight == 0 && paddingWidth == 0
    }

    /// The input rows inside the image that the window of output row `r` covers.
    @inline(__always)
    func inputRows(ofOutputRow r: Int, height: Int) -> Range<Int> {
        let first = r * strideHeight - paddingHeight
        return Swift.max(first, 0)..<Swift.min(first + kernelHeight, height)
    }

    /// The input columns inside the image that the window of output column `c` covers.
    @inline(__always)
    func inputColumns(ofOutputColumn c: Int, width: Int) -> Range<Int> {
        let first = c * strideWidth - paddingWidth
        return Swift.max(first, 0)..<Swift.min(first + kernelWidth, width)
    }
}
