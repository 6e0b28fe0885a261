import Foundation
import Augmentation
import Models
import Tensors
import Text

/// One view of a batch, ready for the encoder: token ids, and for Cutoff the masks that change
/// the attention mask and the word embeddings.
public struct EncoderInput {
    public var batch: TokenBatch
    public var cutoff: CutoffMasks?

    public init(_ batch: TokenBatch, cutoff: CutoffMasks? = nil) {
        self.batch = batch
        self.cutoff = cutoff
    }

    /// The rows `range` of this input (same padded length; Cutoff masks are sliced alike).
    public func rows(_ range: Range<Int>) -> EncoderInput {
        EncoderInput(batch.rows(range), cutoff: cutoff?.rows(range))
    }
}

/// How a method makes the positive view of each sentence (`--augment`): dropout noise alone
/// (`none`: the view is the same text), a token edit (ESimCSE's repetition, EDA deletion,
/// insertion, swap), Cutoff on the word embeddings, or a back-translated paraphrase (CERT).
///
/// ```swift
/// let views = try PositiveViews(AugmentationSpec(parsing: "cutoff-token:0.1"))
/// let input = views.view(of: sentences, encoder: encoder, maxLength: 32, generator: &generator)
/// let z2 = encoder.embed(input, pooler: nil)
/// ```
public struct PositiveViews: Sendable {
    public let spec: AugmentationSpec
    /// Paraphrases for `back-translation`.
    public let backTranslation: BackTranslation?

    /// The views `settings` ask for (`augment`, with `paraphrases` read for back-translation).
    /// - Throws: ``SettingsError`` for an unknown augmentation; the paraphrase file's errors
    ///   naming the file and line.
    public init(_ settings: TrainingSettings) throws {
        let spec: AugmentationSpec
        do { spec = try AugmentationSpec(parsing: settings.augmentation) } catch { throw SettingsError(description: "--augment: \(error)") }
        try self.init(spec, backTranslation: settings.paraphrases.map { BackTranslation(try ParaphraseFile.read(URL(fileURLWithPath: $0)).examples) })
    }

    public init(_ spec: AugmentationSpec, backTranslation: BackTranslation? = nil) throws {
        if spec == .backTranslation && backTranslation == nil {
            throw TrainingError.invalidSetup("augmentation back-translation needs a paraphrase file (--paraphrases)")
        }
        self.spec = spec
        self.backTranslation = backTranslation
    }

    /// Dropout noise only: the view is the anchor's own text (unsupervised SimCSE).
    public static let dropout = PositiveViews(spec: .none, backTranslation: nil)

    private init(spec: AugmentationSpec, backTranslation: BackTranslation?) {
        self.spec = spec
        self.backTranslation = backTranslation
    }

    /// Whether the view is the anchor itself (dropout noise makes the difference).
    public var isIdentity: Bool { spec == .none }

    /// The positive view of `sentences`.
    public func view(of sentences: [String], encoder: SentenceEncoder, maxLength: Int, generator: inout RandomGenerator) -> EncoderInput {
        let special = SpecialTokenIDs(encoder.tokenizer)
        switch spec {
        case .none:
            return EncoderInput(encoder.batch(sentences, maxLength: maxLength))
        case .backTranslation:
            let paraphrased = sentences.map { backTranslation!.view(of: $0, generator: &generator) }
            return EncoderInput(encoder.batch(paraphrased, maxLength: maxLength))
        case .tokens:
            let anchors = PaddedBatch(encoder.tokenizer.encodeBatch(sentences, maxLength: maxLength), padID: special.padding)
            return EncoderInput(TokenBatch(anchors.augmented(by: spec.tokenAugmentation!, specialTokens: special, maxLength: maxLength, generator: &generator)))
        case .cutoff(let cutoff):
            let anchors = PaddedBatch(encoder.tokenizer.encodeBatch(sentences, maxLength: maxLength), padID: special.padding)
            let masks = cutoff.masks(for: anchors, hiddenSize: encoder.model.hiddenSize, specialTokens: special, generator: &generator)
            return EncoderInput(TokenBatch(anchors), cutoff: masks)
        }
    }
}

extension TokenBatch {
    /// The encoder input of an augmented batch.
    init(_ padded: PaddedBatch) {
        self.init(ids: padded.ids, attentionMask: padded.attentionMask, tokenTypeIDs: padded.tokenTypeIDs,
                  batch: padded.batchSize, tokens: padded.sequenceLength)
    }
}

extension SentenceEncoder {
    /// Embeddings of one view.
    public func embed(_ input: EncoderInput, pooler: ((Tensor) -> Tensor)?) -> Tensor {
        embed(input.batch, attentionMask: input.cutoff?.attentionMask, wordEmbeddingHook: input.cutoff?.wordEmbeddingHook, pooler: pooler)
    }
}
