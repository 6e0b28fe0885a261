import NeuralNetworks
import Tensors

/// The MLP that maps an encoder's representation to the space a contrastive loss compares
/// (SimCLR's `g(·)`, MoCo v2's MLP head, BYOL's projector): `layers` linear layers with ReLU between
/// them, optionally BatchNorm after each hidden linear layer (SimCLR, BYOL) and after the last one
/// without affine parameters (SimCLR v2, MoCo v3).
///
/// Names: `fc1`, `bn1`, `fc2`, … (`fcN` the last layer, `bnN` its optional normalisation). A linear
/// layer followed by BatchNorm has no bias (the normalisation would cancel it). Weights start
/// with PyTorch's default variance for `nn.Linear` (uniform in `±1/√fanIn`, here as a normal of
/// the same standard deviation).
///
/// ```swift
/// let head = ProjectionHead(inputSize: 512, hiddenSize: 2048, outputSize: 128, batchNorm: true, generator: &g)  // SimCLR
/// let z = head(resnet(images))   // [N, 128]
/// ```
public final class ProjectionHead: Module {
    /// The linear layers, first to last.
    public let linears: [Linear]
    /// The BatchNorm after each linear layer (`nil` where there is none).
    public let norms: [BatchNorm?]

    /// - Parameters:
    ///   - layers: linear layers, at least 1 (1 is a linear projection; 2 is SimCLR's and MoCo v2's; 3 is SimCLR v2's).
    ///   - batchNorm: BatchNorm after each hidden linear layer.
    ///   - outputBatchNorm: BatchNorm without affine parameters after the last layer.
    public init(inputSize: Int, hiddenSize: Int, outputSize: Int, layers: Int = 2, batchNorm: Bool = false, outputBatchNorm: Bool = false,
                generator: inout RandomGenerator) {
        ensure(layers >= 1 && inputSize > 0 && hiddenSize > 0 && outputSize > 0,
               "ProjectionHead: \(layers) layers of \(inputSize) → \(hiddenSize) → \(outputSize) must all be positive")
        var linears: [Linear] = [], norms: [BatchNorm?] = []
        for index in 0..<layers {
            let isLast = index == layers - 1
            let input = index == 0 ? inputSize : hiddenSize, output = isLast ? outputSize : hiddenSize
            let normalised = isLast ? outputBatchNorm : batchNorm
            linears.append(Linear(inputSize: input, outputSize: output, bias: !normalised, std: 1 / Float(3 * input).squareRoot(), generator: &generator))
            norms.append(normalised ? BatchNorm(features: output, affine: !isLast) : nil)
        }
        self.linears = linears
        self.norms = norms
        super.init()
        for (index, (linear, norm)) in zip(linears, norms).enumerated() {
            register(child: linear, as: "fc\(index + 1)")
            if let norm { register(child: norm, as: "bn\(index + 1)") }
        }
    }

    public var inputSize: Int { linears[0].inputSize }
    public var outputSize: Int { linears[linears.count - 1].outputSize }

    /// Projects `x` `[N, inputSize]` to `[N, outputSize]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (index, (linear, norm)) in zip(linears, norms).enumerated() {
            h = linear(h)
            if let norm { h = norm(h) }
            if index < linears.count - 1 { h = h.relu() }
        }
        return h
    }
}
