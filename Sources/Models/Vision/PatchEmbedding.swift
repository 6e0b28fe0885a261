import NeuralNetworks
import Tensors

/// The input of a Vision Transformer, named as Hugging Face's `ViTEmbeddings`: non-overlapping
/// patches projected by a strided convolution (`patch_embeddings.projection`, a linear map of each
/// flattened patch), a learned `cls_token` in front, learned `position_embeddings` added, dropout.
///
/// ```swift
/// let embeddings = PatchEmbedding(VisionTransformerConfiguration(preset: .tiny28), source: random, generator: &g)
/// let tokens = embeddings(images)   // [N, 1, 28, 28] → [N, 17, 64]
/// ```
public final class PatchEmbedding: Module {
    public let configuration: VisionTransformerConfiguration
    /// `Conv2d(channels → hiddenSize, kernel = stride = patchSize)`.
    public let projection: Conv2d
    /// `[1, 1, hiddenSize]`.
    public let clsToken: Tensor
    /// `[1, patchCount + 1, hiddenSize]`.
    public let positionEmbeddings: Tensor
    public let dropout: Dropout

    public init(_ c: VisionTransformerConfiguration, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        projection = Conv2d(inputChannels: c.channels, outputChannels: c.hiddenSize, kernel: c.patchSize, stride: c.patchSize, generator: &generator)
        clsToken = Initialization.normal([1, 1, c.hiddenSize], generator: &generator)
        positionEmbeddings = Initialization.normal([1, c.patchCount + 1, c.hiddenSize], generator: &generator)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        super.init()
        register(parameter: clsToken, as: "cls_token")
        register(parameter: positionEmbeddings, as: "position_embeddings")
        let patches = Module()
        patches.register(child: projection, as: "projection")
        register(child: patches, as: "patch_embeddings")
        register(child: dropout, as: "dropout")
    }

    /// The token sequence of `images` `[N, channels, imageSize, imageSize]`: `[N, patchCount + 1, hiddenSize]`, CLS first.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        let c = configuration
        ensure(images.rank == 4 && Array(images.shape.dropFirst()) == [c.channels, c.imageSize, c.imageSize],
               "PatchEmbedding: images \(images.shape) must be [batch, \(c.channels), \(c.imageSize), \(c.imageSize)]")
        let n = images.shape[0]
        let patches = projection(images).reshaped([n, c.hiddenSize, c.patchCount]).transposed()
        let tokens = Tensor.concat([clsToken.expanded(to: [n, 1, c.hiddenSize]), patches], axis: 1)
        return dropout(tokens + positionEmbeddings)
    }
}
