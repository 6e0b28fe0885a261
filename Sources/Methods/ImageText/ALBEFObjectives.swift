import Models
import Objectives
import Tensors
import Text
import Vision

/// ALBEF's distillation weight: `alpha` ramped linearly from 0 at step 0 to `final` at the end
/// of the first epoch, then held (`alpha * min(1, i / len(loader))` in ALBEF's first epoch).
public func albefDistillationWeight(step: Int, stepsPerEpoch: Int, final: Float) -> Float {
    ensure(stepsPerEpoch > 0 && step >= 0, "albefDistillationWeight: step \(step), \(stepsPerEpoch) steps per epoch")
    return final * min(1, Float(step) / Float(stepsPerEpoch))
}

/// ALBEF's image-text contrastive loss with momentum distillation: the mean of image-to-text and
/// text-to-image InfoNCE, where the keys are the momentum encoders' features of the batch
/// followed by the queue, and the targets mix the momentum model's own softmax (weight `alpha`)
/// with the one-hot positive. With `alpha` 0 it is plain InfoNCE against momentum keys.
public struct ALBEFContrastiveLoss {
    /// The learnable temperature (clamped to 0.001...0.5 as in ALBEF).
    public var temperature: Tensor

    public init(temperature: Tensor) { self.temperature = temperature }

    /// The loss of online features `image`, `text` (`[B, d]`, unit length) against the momentum
    /// features `momentumImage`, `momentumText` and the queues (read before this batch enters them).
    public func callAsFunction(image: Tensor, text: Tensor, momentumImage: Tensor, momentumText: Tensor,
                               imageQueue: Tensor?, textQueue: Tensor?, alpha: Float) -> Tensor {
        let loss = InfoNCELoss(similarity: DotProductSimilarity(), temperature: .learnable(temperature, range: 0.001...0.5))
        let i2t = loss(queries: image, keys: momentumText, queue: textQueue, targets: .distilled(teacherQueries: momentumImage, weight: alpha))
        let t2i = loss(queries: text, keys: momentumImage, queue: imageQueue, targets: .distilled(teacherQueries: momentumText, weight: alpha))
        return (i2t + t2i) * 0.5
    }
}

/// BERT's masked-language-model corruption as ALBEF applies it: each real token (not `[CLS]`,
/// `[SEP]` or padding) is chosen with probability `probability`; a chosen token becomes `[MASK]`
/// 80% of the time, a random vocabulary token 10%, and stays 10%; the loss reads only chosen ones.
public struct MaskedLanguageModeling: Sendable {
    public var probability: Float = 0.15
    public let maskTokenID: Int
    public let vocabularySize: Int
    /// Ids never chosen.
    public let specialIDs: Set<Int>

    /// Masking for `tokenizer`'s vocabulary.
    public init(tokenizer: WordPieceTokenizer, probability: Float = 0.15) {
        let special = tokenizer.specialTokens
        maskTokenID = tokenizer.id(of: "[MASK]") ?? special.unknown
        vocabularySize = tokenizer.vocabularySize
        specialIDs = [special.classification, special.separator, special.padding]
        self.probability = probability
    }

    /// The corrupted ids, and the flat positions chosen with their original ids (the labels).
    public func mask(ids: [Int], attentionMask: [Int], generator: inout RandomGenerator) -> (ids: [Int], positions: [Int], labels: [Int]) {
        ensure(ids.count == attentionMask.count, "MaskedLanguageModeling: \(ids.count) ids and \(attentionMask.count) mask values")
        var corrupted = ids, positions: [Int] = [], labels: [Int] = []
        for index in ids.indices where attentionMask[index] != 0 && !specialIDs.contains(ids[index]) {
            guard generator.nextUniform() < probability else { continue }
            positions.append(index)
            labels.append(ids[index])
            let choice = generator.nextUniform()
            if choice < 0.8 {
                corrupted[index] = maskTokenID
            } else if choice < 0.9 {
                corrupted[index] = generator.nextInt(below: vocabularySize)
            }
        }
        return (corrupted, positions, labels)
    }
}

/// How hard ALBEF's ITM negatives are at `step`: 0 (drawn uniformly, "random" negatives) at the
/// start, rising linearly to 1 (ALBEF's softmax of the ITC similarities) over the first
/// `rampFraction` of the `totalSteps`, then held. An addition to ALBEF: its fusion layers start
/// from pretrained BERT; from random ones the ITM head first has to learn coarse matching, and the
/// hardest negatives of an ITC that aligns within tens of steps keep it at the label prior.
public func albefNegativeHardness(step: Int, totalSteps: Int, rampFraction: Float) -> Float {
    ensure(totalSteps > 0 && step >= 0 && rampFraction >= 0, "albefNegativeHardness: step \(step) of \(totalSteps), ramp \(rampFraction)")
    let rampSteps = rampFraction * Float(totalSteps)
    return rampSteps > 0 ? min(1, Float(step) / rampSteps) : 1
}

/// ALBEF's ITM negatives: for each image one caption and for each caption one image, drawn from
/// the softmax of `hardness` times the in-batch ITC similarities over the items of another group
/// (`groups[i]` names what item `i` shows, so an identical caption of another image is never
/// drawn as a negative). Hardness 1 is ALBEF's sampling, 0 draws uniformly. `nil` where every item
/// of the batch shares the group.
public func albefHardNegatives(similarity: Tensor, groups: [Int], hardness: Float = 1, generator: inout RandomGenerator)
    -> (textOfImage: [Int?], imageOfText: [Int?]) {
    ensure(hardness >= 0, "albefHardNegatives: hardness \(hardness) must not be negative")
    let sampler = HardNegativeSampler()
    let logits = withoutGradient { similarity * hardness }
    let texts = sampler.sample(similarities: logits, rowIDs: groups, columnIDs: groups, generator: &generator)
    let images = sampler.sample(similarities: withoutGradient { logits.transposed() }, rowIDs: groups, columnIDs: groups, generator: &generator)
    return (texts, images)
}

/// ITM's pairs for a batch of matching images and captions (row `i` of each): the first `count`
/// positives (all when `nil`), then for each of those images a caption and for each of those
/// captions an image, drawn from the whole batch by ``albefHardNegatives(similarity:groups:hardness:generator:)``
/// (`similarity` is `[images, captions]`). ALBEF scores every positive; VLMo a subset, as the
/// fused passes are most of its step. Sampling rather than the argmax of the similarities, which
/// would pick near-duplicates of the positive, or a true match, every time.
///
/// - Returns: caption and image indices into the batch, and the ITM targets (1: match).
public func albefMatchingPairs(similarity: Tensor, groups: [Int], count: Int? = nil, hardness: Float = 1,
                               generator: inout RandomGenerator) -> (captions: [Int], images: [Int], targets: [Int]) {
    let negatives = albefHardNegatives(similarity: similarity, groups: groups, hardness: hardness, generator: &generator)
    let rows = 0..<min(count ?? groups.count, groups.count)
    var captions = Array(rows), images = captions, targets = captions.map { _ in 1 }
    for image in rows {
        if let caption = negatives.textOfImage[image] { captions.append(caption); images.append(image); targets.append(0) }
    }
    for caption in rows {
        if let image = negatives.imageOfText[caption] { captions.append(caption); images.append(image); targets.append(0) }
    }
    return (captions, images, targets)
}

/// One id per item such that two items get the same id exactly when they have the same set of
/// captions: for Shapes, the same objects in the same relation (indistinguishable by any caption).
public func captionGroups(_ captions: [[String]]) -> [Int] {
    var ids: [[String]: Int] = [:]
    return captions.map { list in
        let key = Array(Set(list)).sorted()
        if let id = ids[key] { return id }
        ids[key] = ids.count
        return ids.count - 1
    }
}

extension ALBEFPretraining {
    /// ALBEF's three losses on one batch; the momentum features enter the queues after the ITC loss
    /// read them. `falseTexts[i]`, when given, is a caption false of image `i` that ITM scores as
    /// one more negative pair.
    func losses(images: [Image], texts: [String], falseTexts: [String?]? = nil, groups: [Int], alpha: Float, hardness: Float,
                generator: inout RandomGenerator) -> (itc: Tensor, itm: Tensor, mlm: Tensor, itmPairs: Int) {
        let encoders = model.encoders
        let pixels = model.imageTensor(images)
        let batch = model.tokenize(texts)
        let tokens = encoders.imageTokens(pixels), states = encoders.textStates(batch)
        let image = encoders.imageFeatures(tokens), text = encoders.textFeatures(states)
        let (momentumImage, momentumText) = withoutGradient {
            (momentumEncoders.imageFeatures(momentumEncoders.imageTokens(pixels)), momentumEncoders.textFeatures(momentumEncoders.textStates(batch)))
        }

        // ITC with momentum distillation against the batch's momentum features and the queues.
        let itc = ALBEFContrastiveLoss(temperature: model.temperature)(
            image: image, text: text, momentumImage: momentumImage, momentumText: momentumText,
            imageQueue: imageQueue.count > 0 ? imageQueue.features : nil, textQueue: textQueue.count > 0 ? textQueue.features : nil, alpha: alpha)
        imageQueue.enqueue(momentumImage)
        textQueue.enqueue(momentumText)

        // ITM: every positive pair, plus one negative caption per image and one image per caption.
        let similarity = withoutGradient { image.matmul(text, transposeOther: true) / model.clampedTemperature }
        let pairs = albefMatchingPairs(similarity: similarity, groups: groups, hardness: hardness, generator: &generator)
        let b = texts.count, length = batch.tokens
        var logits = model.matchLogits(textStates: states.indexSelect(axis: 0, pairs.captions),
                                       textMask: pairs.captions.flatMap { batch.attentionMask[($0 * length)..<(($0 + 1) * length)] },
                                       imageTokens: tokens.indexSelect(axis: 0, pairs.images))
        var targets = pairs.targets
        let imagesWithFalseText = (0..<b).filter { falseTexts?[$0] != nil }
        if !imagesWithFalseText.isEmpty {
            // Their own batch (padded to their own length), fused with their images.
            let falseBatch = model.tokenize(imagesWithFalseText.map { falseTexts![$0]! })
            let falseLogits = model.matchLogits(textStates: encoders.textStates(falseBatch), textMask: falseBatch.attentionMask,
                                                imageTokens: tokens.indexSelect(axis: 0, imagesWithFalseText))
            logits = Tensor.concat([logits, falseLogits], axis: 0)
            targets += imagesWithFalseText.map { _ in 0 }
        }
        let itm = logits.crossEntropy(targets: targets)

        // MLM through the fusion encoder, conditioned on the image.
        let masked = masking.mask(ids: batch.ids, attentionMask: batch.attentionMask, generator: &generator)
        guard !masked.positions.isEmpty else { return (itc, itm, Tensor(scalar: 0), targets.count) }
        let maskedBatch = TokenBatch(ids: masked.ids, attentionMask: batch.attentionMask, tokenTypeIDs: batch.tokenTypeIDs, batch: b, tokens: length)
        let fused = model.fuse(textStates: encoders.textStates(maskedBatch), textMask: batch.attentionMask, imageTokens: tokens)
        let mlm = model.mlmLogits(fused: fused, positions: masked.positions).crossEntropy(targets: masked.labels)
        return (itc, itm, mlm, targets.count)
    }
}
