import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors
import Vision

/// ALIGN, VLMo, or the fine-tuning of a pretrained CLIP, on image-caption pairs, as the
/// ``Trainer`` runs them: a list of stages run in order, steps counted over all of them.
///
/// Each step draws a batch of images (shuffled per epoch, seeded) and one of each image's
/// captions at random; there is no image augmentation in the image-text stage (flips and crops
/// would contradict Shapes captions such as "left of"). Each epoch's order and each step's random
/// draws (captions, noise, ITM negatives) come from the seed, the stage and the step.
///
/// Contrastive losses are computed over embeddings planned by rows (``StepPlan``), so gradient
/// caching (ALIGN) and data parallelism with every process's negatives come from the trainer.
/// ALIGN has no batch statistics: P processes train as one with the whole batch. VLMo's
/// projections have BatchNorm: each process normalises its share.
public final class ImageTextTraining: TrainingMethod {
    public let configuration: TrainingSettings
    public let data: CaptionedImages
    /// The model trained (``ALIGN``, ``VLMo`` or ``CLIPImageTextModel``).
    public let model: any ImageTextModel
    /// Its parameters (CLIP's are its ``CLIPModel``'s).
    private let module: Module
    /// Images as the model's pixel tensor.
    private let pixels: ([Image]) -> Tensor
    /// CLIP's attention dropout stream (ALIGN's and VLMo's towers have no dropout).
    public let randomSource: RandomSource?
    private let definitions: [Definition]
    /// The learned `log(1 / temperature)` of the contrastive loss, clamped after each step.
    private let logitScale: Tensor
    private let groups: [Int]

    /// One stage: its name, its steps given the image-text stage's, which parameters it trains,
    /// and the step of a batch.
    private struct Definition {
        let name: String
        let steps: (_ pairSteps: Int) -> Int
        let begin: () -> Void
        let plan: (Batch, inout RandomGenerator) -> StepPlan
    }

    /// One batch: images, a caption of each, and a second caption of each (the same one when
    /// the image has only one).
    private struct Batch {
        var pixels: Tensor
        var captions: [String]
        var otherCaptions: [String]
        /// Equal for two images exactly when they have the same captions (``captionGroups(_:)``).
        var groups: [Int]
    }

    /// ALIGN: one stage, symmetric InfoNCE over image and caption embeddings.
    public convenience init(_ model: ALIGN, configuration: TrainingSettings, data: CaptionedImages) throws {
        let itc = Self.contrast(tokens: model.tokens, images: model.imageEmbeddings, texts: model.textEmbeddings) { model.contrast.symmetric($0, $1) }
        try self.init(model: model, module: model, pixels: model.configuration.pixels, configuration: configuration, data: data,
                      definitions: [itc], logitScale: model.logitScale)
    }

    /// CLIP fine-tuning: ALIGN's stage on a pretrained CLIP, the symmetric InfoNCE over its
    /// projected embeddings at its learned logit scale (clamped at 100, as OpenCLIP clamps it),
    /// images through the folder's preprocessing (`data`'s may have been through
    /// ``ImageTextModel/imagePreparation`` already), captions through its tokenizer.
    public convenience init(_ clip: CLIPImageTextModel, configuration: TrainingSettings, data: CaptionedImages) throws {
        let model = clip.model
        let itc = Self.contrast(tokens: clip.tokens, images: model.imageFeatures, texts: model.textFeatures) { model.contrast.symmetric($0, $1) }
        try self.init(model: clip, module: model, pixels: clip.preprocessing.callAsFunction, randomSource: model.source, configuration: configuration,
                      data: data, definitions: [itc], logitScale: model.logitScale)
    }

    /// The stage of a dual encoder: the batch's images and captions embedded by rows (so that
    /// gradient caching and data parallelism come from the trainer), then `loss` of the two.
    private static func contrast(tokens: @escaping ([String]) -> TokenBatch, images: @escaping (Tensor) -> Tensor,
                                 texts: @escaping (TokenBatch) -> Tensor, loss: @escaping (Tensor, Tensor) -> Tensor) -> Definition {
        Definition(name: "itc", steps: { $0 }, begin: {}) { batch, _ in
            let tokens = tokens(batch.captions)
            return StepPlan(inputs: [.trained(rows: batch.captions.count) { images(batch.pixels.slice(axis: 0, $0)) },
                                     .trained(rows: batch.captions.count) { texts(tokens.rows($0)) }]) { z in loss(z[0], z[1]) }
        }
    }

    /// VLMo's three stages:
    ///
    /// 1. Image only (`vision`): contrast between two noisy views of each image, through the
    ///    vision experts; trains patch embeddings, self-attention, vision experts, image projection.
    /// 2. Text only (`language`): contrast between two captions of each image, through the
    ///    language experts, with self-attention and the vision experts frozen.
    /// 3. Image-text (`itc+itm`): ITC plus ITM on `matchingPairsPerBatch` positives and hard
    ///    negatives sampled from the batch's ITC similarities (``albefMatchingPairs(similarity:groups:count:hardness:generator:)``);
    ///    every parameter trains.
    ///
    /// Each unimodal stage takes `unimodalStageFraction` of the image-text stage's steps.
    public convenience init(_ model: VLMo, configuration c: TrainingSettings, data: CaptionedImages) throws {
        let unimodal: (Int) -> Int = { pairSteps in max(1, Int(Float(pairSteps) * c.unimodalStageFraction)) }
        let (weight, pairsPerBatch) = (c.matchingWeight, c.matchingPairsPerBatch)
        let vision = Definition(name: "vision", steps: unimodal, begin: { VLMoStages.vision.configure(model) }) { batch, generator in
            let views = (0..<2).map { _ in batch.pixels + Tensor.normal(batch.pixels.shape, std: 0.3, generator: &generator) }
            return StepPlan(inputs: views.map { view in .trained(rows: view.shape[0]) { model.imageEmbeddings(view.slice(axis: 0, $0)) } }) { z in
                model.contrast.symmetric(z[0], z[1])
            }
        }
        let language = Definition(name: "language", steps: unimodal, begin: { VLMoStages.language.configure(model) }) { batch, _ in
            let inputs = [batch.captions, batch.otherCaptions].map { captions in
                let tokens = model.tokens(captions)
                return StepPlan.Input.trained(rows: captions.count) { model.textEmbeddings(tokens.rows($0)) }
            }
            return StepPlan(inputs: inputs) { z in model.contrast.symmetric(z[0], z[1]) }
        }
        let pairs = Definition(name: "itc+itm", steps: { $0 }, begin: { VLMoStages.visionLanguage.configure(model) }) { batch, generator in
            let tokens = model.tokens(batch.captions)
            // ITM's negatives are drawn when the loss runs, after the embeddings it samples from.
            var draws = generator
            return StepPlan(inputs: [.trained(rows: batch.captions.count) { model.imageEmbeddings(batch.pixels.slice(axis: 0, $0)) },
                                     .trained(rows: batch.captions.count) { model.textEmbeddings(tokens.rows($0)) }], losses: { z in
                let itc = model.contrast.symmetric(z[0], z[1])
                guard weight > 0 else { return StepLoss(itc, parts: ["itc": itc.item]) }
                let logits = withoutGradient { z[0].matmul(z[1], transposeOther: true) * model.logitScale.exp() }
                let pairs = albefMatchingPairs(similarity: logits, groups: batch.groups, count: pairsPerBatch, generator: &draws)
                let itm = model.matchLogits(texts: pairs.captions.map { batch.captions[$0] }, images: batch.pixels.indexSelect(axis: 0, pairs.images))
                    .crossEntropy(targets: pairs.targets)
                return StepLoss(itc + itm * weight, parts: ["itc": itc.item, "itm": itm.item])
            })
        }
        try self.init(model: model, module: model, pixels: model.configuration.pixels, configuration: c, data: data, definitions: [vision, language, pairs],
                      logitScale: model.logitScale)
    }

    private init(model: any ImageTextModel, module: Module, pixels: @escaping ([Image]) -> Tensor, randomSource: RandomSource? = nil,
                 configuration: TrainingSettings, data: CaptionedImages, definitions: [Definition], logitScale: Tensor) throws {
        if let problem = configuration.valueProblems.first { throw TrainingError.invalidSetup(problem) }
        self.model = model
        self.module = module
        self.pixels = pixels
        self.randomSource = randomSource
        self.configuration = configuration
        self.data = data
        self.definitions = definitions
        self.logitScale = logitScale
        groups = captionGroups(data.captions)
    }

    public var name: String { configuration.method }
    public var unit: String { "images" }
    public var usesBatchStatistics: Bool { model is VLMo }
    public var modules: [(prefix: String, module: Module)] { [("", module)] }

    public func stages(processes: Int) throws -> [TrainingStage] {
        let c = configuration
        let pairs = try TrainingStage(name: "itc", examples: data.count, what: "\(c.dataset) images", settings: c, processes: processes, orderSeed: 0, stepSeed: 0)
        return definitions.map { stage in
            let seed = c.seed &+ UInt64(stage.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
            return TrainingStage(name: stage.name, steps: min(stage.steps(pairs.steps), pairs.steps), examples: data.count, batchSize: pairs.batchSize,
                                 settings: c, orderSeed: seed ^ 0x0DE5_A11C, stepSeed: seed)
        }
    }

    public func begin(stage: Int) {
        module.unfreeze()
        definitions[stage].begin()
    }

    public func plan(stage: Int, batch: StepBatch, generator: inout RandomGenerator) -> StepPlan {
        let indices = batch.indices
        func pick(_ captions: [String]) -> String { captions[generator.nextInt(below: captions.count)] }
        let captions = indices.map { pick(data.captions[$0]) }
        let otherCaptions = indices.map { pick(data.captions[$0]) }
        let chosen = Batch(pixels: pixels(indices.map { data.images[$0] }), captions: captions,
                           otherCaptions: otherCaptions, groups: indices.map { groups[$0] })
        return definitions[stage].plan(chosen, &generator)
    }

    /// Keeps the learned logit scale within `(0, 100]` by clamping the parameter (OpenCLIP).
    public func didStep(_ step: Int) { Temperature.clampInPlace(logScale: logitScale) }

    public func save(to folder: URL) throws { try model.save(to: folder) }
}

/// Which VLMo parameters each training stage updates; the rest are frozen (no gradient, not in
/// the optimizer).
public enum VLMoStages: String, CaseIterable, Sendable {
    case vision, language, visionLanguage

    /// The parameter prefixes trained in this stage.
    public func trainablePrefixes(layers: Int) -> [String] {
        let layerNames = (0..<layers).map { "backbone.encoder.layer.\($0)" }
        switch self {
        case .vision:
            return ["patch_embeddings", "backbone.layernorm", "image_projection", "logit_scale"]
                + layerNames.flatMap { ["\($0).layernorm_before", "\($0).attention", "\($0).vision_expert"] }
        case .language:
            return ["text_embeddings", "text_projection", "logit_scale"] + layerNames.map { "\($0).language_expert" }
        case .visionLanguage:
            return [""]
        }
    }

    /// Freezes `model` except this stage's parameters.
    public func configure(_ model: VLMo) {
        model.freeze()
        for prefix in trainablePrefixes(layers: model.configuration.layers) { model.unfreeze(prefix: prefix) }
    }
}
