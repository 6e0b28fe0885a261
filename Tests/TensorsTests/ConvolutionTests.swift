import Foundation
import Testing
@testable import Tensors

/// Convolution, pooling and batch normalisation against direct Float64 definitions, at batch
/// sizes that take the parallel path (several images per thread).
@Suite struct ConvolutionTests {
    func maxError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { Swift.abs(Double($0) - $1) }.max() ?? 0
    }

    /// The direct sum `y[n, o, r, c] = b[o] + Σ x[n, i, r·s - p + u, c·s - p + v] w[o, i, u, v]`.
    func directConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int) -> [Double] {
        let (n, ci, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1
        let xv = x.scalars, wv = w.scalars, bv = b?.scalars
        var y = [Double](repeating: 0, count: n * co * oh * ow)
        for img in 0..<n {
            for o in 0..<co {
                for r in 0..<oh {
                    for c in 0..<ow {
                        var acc = Double(bv?[o] ?? 0)
                        for i in 0..<ci {
                            for u in 0..<kh {
                                for v in 0..<kw {
                                    let ih = r * s - p + u, iw = c * s - p + v
                                    guard ih >= 0 && ih < h && iw >= 0 && iw < wd else { continue }
                                    acc += Double(xv[((img * ci + i) * h + ih) * wd + iw]) * Double(wv[((o * ci + i) * kh + u) * kw + v])
                                }
                            }
                        }
                        y[((img * co + o) * oh + r) * ow + c] = acc
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: [(3, 1, 1), (3, 2, 1), (1, 1, 0), (1, 2, 0), (5, 1, 2), (4, 3, 0), (1, 1, 2), (3, 2, 3)])
    func convolutionMatchesDirectSum(kernel: Int, stride: Int, padding: Int) {
        let x = Tensor.randn([6, 5, 11, 9], seed: 1), w = Tensor.randn([7, 5, kernel, kernel], seed: 2), b = Tensor.randn([7], seed: 3)
        let y = x.conv2d(weight: w, bias: b, stride: stride, padding: padding)
        let expected = directConvolution(x, w, b, stride: stride, padding: padding)
        #expect(y.shape == [6, 7, (11 + 2 * padding - kernel) / stride + 1, (9 + 2 * padding - kernel) / stride + 1])
        #expect(maxError(y.scalars, expected) < 1e-4)
    }

    @Test(arguments: [(3, 1), (1, 0), (2, 0)])
    func wideStridedConvolutionMatchesDirectSum(kernel: Int, padding: Int) {
        // Rows wide enough for the vectorised every-other-element gather of stride 2.
        let x = Tensor.randn([3, 2, 6, 41], seed: 11), w = Tensor.randn([4, 2, kernel, kernel], seed: 12)
        let y = x.conv2d(weight: w, stride: 2, padding: padding)
        #expect(maxError(y.scalars, directConvolution(x, w, nil, stride: 2, padding: padding)) < 1e-4)
    }

    @Test func convolutionOfOneImageMatchesTheBatch() {
        // A single image runs one multi-threaded GEMM instead of one GEMM per thread.
        let x = Tensor.randn([3, 4, 8, 8], seed: 4), w = Tensor.randn([6, 4, 3, 3], seed: 5)
        let batch = x.conv2d(weight: w, padding: 1)
        let single = x.slice(axis: 0, 1..<2).conv2d(weight: w, padding: 1)
        #expect(maxError(single.scalars, batch.slice(axis: 0, 1..<2).scalars.map(Double.init)) < 1e-5)
    }

    @Test func convolutionGradientsMatchTheDirectAdjoint() {
        // dx and dW of a large batch against the adjoint of the direct sum, through a loss whose
        // gradient is the all-ones tensor: dW[o,i,u,v] = Σ x over the positions (u, v) reads.
        let x = Tensor.randn([8, 3, 9, 9], seed: 6).requiringGradient(), w = Tensor.randn([4, 3, 3, 3], seed: 7).requiringGradient()
        let b = Tensor.zeros([4]).requiringGradient()
        x.conv2d(weight: w, bias: b, stride: 2, padding: 1).sum().backward()
        let xv = x.scalars
        var dw = [Double](repeating: 0, count: 4 * 3 * 9), dx = [Double](repeating: 0, count: x.count)
        for n in 0..<8 {
            for r in 0..<5 {
                for c in 0..<5 {
                    for i in 0..<3 {
                        for u in 0..<3 {
                            for v in 0..<3 {
                                let ih = r * 2 - 1 + u, iw = c * 2 - 1 + v
                                guard ih >= 0 && ih < 9 && iw >= 0 && iw < 9 else { continue }
                                let xi = ((n * 3 + i) * 9 + ih) * 9 + iw
                                for o in 0..<4 {
                                    dw[(o * 3 + i) * 9 + u * 3 + v] += Double(xv[xi])
                                    dx[xi] += Double(w.scalars[(o * 3 + i) * 9 + u * 3 + v])
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(maxError(w.grad!.scalars, dw) < 1e-3)
        #expect(maxError(x.grad!.scalars, dx) < 1e-4)
        #expect(b.grad!.scalars == [Float](repeating: 8 * 25, count: 4))
    }

    /// Forward and backward of `s` through im2col + GEMM and through oneDNN's primitives, on the
    /// same random operands: `[y, dx, dw, db]` of each path.
    func bothPaths(_ s: Kernels.Convolution2DShape) -> (im2col: [[Float]], primitive: [[Float]]) {
        let w = s.window
        let x = Tensor.randn([s.batch, s.inputChannels, s.height, s.width], seed: 21)
        let weight = Tensor.randn([s.outputChannels, s.inputChannels, w.kernelHeight, w.kernelWidth], seed: 22)
        let bias = Tensor.randn([s.outputChannels], seed: 23), dy = Tensor.randn([s.batch, s.outputChannels, s.outputHeight, s.outputWidth], seed: 24)
        func run(_ primitive: Bool) -> [[Float]] {
            let y = Tensor.zeros(dy.shape), dx = Tensor.zeros(x.shape), dw = Tensor.zeros(weight.shape), db = Tensor.zeros(bias.shape)
            Tensor.withData(x, weight, bias, dy, y, dx, dw, db) { p in
                if primitive {
                    Kernels.convolutionPrimitiveForward(p[0], p[1], bias: p[2], p[4], shape: s)
                    Kernels.convolutionPrimitiveBackward(p[0], p[1], p[3], dx: p[5], dweight: p[6], dbias: p[7], shape: s)
                } else {
                    Kernels.conv2dForward(p[0], p[1], bias: p[2], p[4], shape: s)
                    Kernels.conv2dBackward(p[0], p[1], p[3], dx: p[5], dweight: p[6], dbias: p[7], shape: s)
                }
            }
            return [y, dx, dw, db].map(\.scalars)
        }
        return (run(false), run(true))
    }

    /// Largest difference relative to the largest magnitude, per output.
    func relativeErrors(_ a: [[Float]], _ b: [[Float]]) -> [Double] {
        zip(a, b).map { a, b in
            let scale = a.map { Double(Swift.abs($0)) }.max() ?? 1
            return zip(a, b).map { Double(Swift.abs($0 - $1)) }.max()! / Swift.max(scale, 1e-30)
        }
    }

    @Test(arguments: [(3, 1, 1, 16, 16, 10), (3, 2, 1, 16, 32, 11), (1, 2, 0, 16, 24, 9), (5, 1, 2, 3, 8, 12), (3, 1, 1, 64, 64, 7), (7, 7, 0, 1, 64, 28)])
    func convolutionPrimitivesMatchIm2col(kernel: Int, stride: Int, padding: Int, inputs: Int, outputs: Int, size: Int) {
        // Odd sizes and channel counts that are not multiples of the 8 or 16 of the blocked layouts.
        let s = Kernels.Convolution2DShape(batch: 5, inputChannels: inputs, height: size, width: size - 1, outputChannels: outputs,
                                           window: Window2D(kernel: kernel, stride: stride, padding: padding))
        let (im2col, primitive) = bothPaths(s)
        for (name, error) in zip(["y", "dx", "dw", "db"], relativeErrors(im2col, primitive)) {
            #expect(error < 1e-5, "\(name) of \(s): \(error)")
        }
    }

    @Test func conv2dTakesThePrimitivesOnLargeConvolutionsWithTheSameGradients() throws {
        // A ResNet-8-wide stage-3 convolution at a batch of 8: large enough for the primitives.
        let s = Kernels.Convolution2DShape(batch: 8, inputChannels: 256, height: 7, width: 7, outputChannels: 256, window: Window2D(kernel: 3, stride: 1, padding: 1))
        #expect(Kernels.usesConvolutionPrimitive(s))
        #expect(!Kernels.usesConvolutionPrimitive(Kernels.Convolution2DShape(batch: 512, inputChannels: 1, height: 28, width: 28, outputChannels: 16,
                                                                             window: Window2D(kernel: 3, stride: 1, padding: 1))))
        #expect(!Kernels.usesConvolutionPrimitive(Kernels.Convolution2DShape(batch: 512, inputChannels: 64, height: 14, width: 14, outputChannels: 256,
                                                                             window: Window2D(kernel: 1, stride: 2, padding: 0))))
        let x = Tensor.randn([8, 256, 7, 7], seed: 21).requiringGradient(), w = Tensor.randn([256, 256, 3, 3], seed: 22).requiringGradient()
        let b = Tensor.randn([256], seed: 23).requiringGradient(), dy = Tensor.randn([8, 256, 7, 7], seed: 24)
        let (y, implementations) = GEMM.recordingImplementations { x.conv2d(weight: w, bias: b, padding: 1) }
        (y * dy).sum().backward()
        #expect(implementations.contains { $0.hasPrefix("jit") || $0.hasPrefix("brg") } && !implementations.contains { $0.hasPrefix("ref") }, "\(implementations)")
        let (im2col, _) = bothPaths(s)
        let autograd = [y, try #require(x.grad), try #require(w.grad), try #require(b.grad)].map(\.scalars)
        for (name, error) in zip(["y", "dx", "dw", "db"], relativeErrors(im2col, autograd)) {
            #expect(error < 1e-5, "\(name): \(error)")
        }
    }

    @Test func poolingMatchesDefinitions() {
        let x = Tensor.randn([4, 3, 9, 8], seed: 8)
        let v = x.scalars
        let maxPooled = x.maxPool2d(kernel: 3, stride: 2, padding: 1), avgPooled = x.avgPool2d(kernel: 3, stride: 2, padding: 1)
        let avgValid = x.avgPool2d(kernel: 3, stride: 2, padding: 1, countingPadding: false)
        #expect(maxPooled.shape == [4, 3, 5, 4])
        var maxExpected = [Double](), avgExpected = [Double](), validExpected = [Double]()
        for plane in 0..<12 {
            for r in 0..<5 {
                for c in 0..<4 {
                    var window = [Double]()
                    for ih in (r * 2 - 1)..<(r * 2 + 2) where ih >= 0 && ih < 9 {
                        for iw in (c * 2 - 1)..<(c * 2 + 2) where iw >= 0 && iw < 8 { window.append(Double(v[(plane * 9 + ih) * 8 + iw])) }
                    }
                    maxExpected.append(window.max()!)
                    avgExpected.append(window.reduce(0, +) / 9)
                    validExpected.append(window.reduce(0, +) / Double(window.count))
                }
            }
        }
        #expect(maxError(maxPooled.scalars, maxExpected) == 0)
        #expect(maxError(avgPooled.scalars, avgExpected) < 1e-6)
        #expect(maxError(avgValid.scalars, validExpected) < 1e-6)
        #expect(maxError(x.globalAveragePooled().scalars, (0..<12).map { p in v[(p * 72)..<((p + 1) * 72)].map(Double.init).reduce(0, +) / 72 }) < 1e-6)
    }

    /// Batch sizes that split evenly and unevenly into the kernels' fixed ranges, maps of whole
    /// and partial vectors.
    @Test(arguments: [(32, 12), (13, 7), (3, 1)]) func batchNormNormalisesEachChannel(batch: Int, side: Int) {
        // A large offset checks the shifted statistics against cancellation.
        let x = Tensor.randn([batch, 5, side, side], seed: 9).affine(scale: 3, shift: 1000)
        let (y, mean, variance) = x.batchNorm(weight: nil, bias: nil, eps: 0)
        let xv = x.scalars, yv = y.scalars, inner = side * side
        for c in 0..<5 {
            var values = [Double](), outputs = [Double]()
            for n in 0..<batch {
                let start = (n * 5 + c) * inner
                values += xv[start..<(start + inner)].map(Double.init)
                outputs += yv[start..<(start + inner)].map(Double.init)
            }
            let m = values.reduce(0, +) / Double(values.count)
            let s2 = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)
            #expect(Swift.abs(Double(mean.scalars[c]) - m) < 1e-3)
            #expect(Swift.abs(Double(variance.scalars[c]) - s2) / s2 < 1e-4)
            let outMean = outputs.reduce(0, +) / Double(outputs.count)
            let outVariance = outputs.map { ($0 - outMean) * ($0 - outMean) }.reduce(0, +) / Double(outputs.count)
            #expect(Swift.abs(outMean) < 1e-3 && Swift.abs(outVariance - 1) < 1e-3)
        }
    }
}
