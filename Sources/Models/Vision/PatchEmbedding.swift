import NeuralNetworks
import Tensors

/// The input of a Vision Transformer, named as Hugging Face's `ViTEmbeddings`: non-overlapping
/// patches projected by a strided convolution (`patch_embeddings.projection`, a linear map of each
/// flattened patch), a learned `cls_token` in front, learned `position_embeddings` added, dropout.
/// With ``CheckpointNaming/clip``, named as `CLIPVisionEmbeddings`: `patch_embedding` (a
/// convolution without bias), `class_embedding` (`[hiddenSize]`), `position_embedding.weight`
/// (`[patchCount + 1, hiddenSize]`).
///
/// ```swift
/// let embeddings = PatchEmbedding(VisionTransformerConfiguration(preset: .tiny28), source: random, generator: &g)
/// let tokens = embeddings(images)   // [N, 1, 28, 28] → [N, 17, 64]
/// ```
public final class PatchEmbedding: Module {
    public let configuration: VisionTransformerConfiguration
    /// `Conv2d(channels → hiddenSize, kernel = stride = patchSize)` (without bias for CLIP).
    public let projection: Conv2d
    /// `[1, 1, hiddenSize]` (CLIP: `[hiddenSize]`).
    public let clsToken: Tensor
    /// `[1, patchCount + 1, hiddenSize]` (CLIP: `[patchCount + 1, hiddenSize]`).
    public let positionEmbeddings: Tensor
    public let dropout: Dropout

    public init(_ c: VisionTransformerConfiguration, naming: CheckpointNaming = .bert, source: RandomSource, generator: inout RandomGenerator) {
        configuration = c
        let clip = naming == .clip
        projection = Conv2d(inputChannels: c.channels, outputChannels: c.hiddenSize, kernel: c.patchSize, stride: c.patchSize, bias: !clip,
                            generator: &generator)
        clsToken = Initialization.normal(clip ? [c.hiddenSize] : [1, 1, c.hiddenSize], generator: &generator)
        positionEmbeddings = Initialization.normal(clip ? [c.patchCount + 1, c.hiddenSize] : [1, c.patchCount + 1, c.hiddenSize], generator: &generator)
        dropout = Dropout(probability: c.hiddenDropout, source: source)
        super.init()
        if clip {
            register(parameter: clsToken, as: "class_embedding")
            register(child: projection, as: "patch_embedding")
            // An `nn.Embedding` read at positions 0...patchCount: its whole table, in order.
            let positions = Module()
            positions.register(parameter: positionEmbeddings, as: "weight")
            register(child: positions, as: "position_embedding")
        } else {
            register(parameter: clsToken, as: "cls_token")
            register(parameter: positionEmbeddings, as: "position_embeddings")
            let patches = Module()
            patches.register(child: projection, as: "projection")
            register(child: patches, as: "patch_embeddings")
        }
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
