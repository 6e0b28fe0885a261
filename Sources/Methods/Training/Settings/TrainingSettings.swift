import Foundation
import Models
import NeuralNetworks
import Objectives
import Tensors
import Text
import Vision

/// Every setting of a training run, for every method, with the method's defaults
/// (``init(method:)``). The run folder records them in `training_config.json`, keyed by their flags'
/// names (``settings``), and reads them back on `--resume`. Each method's documentation
/// (docs/methods/) says where its defaults come from.
public struct TrainingSettings: Sendable, Equatable {
    /// `simcse`, `esimcse`, `cert`, `simclr`, `moco`, `align`, `vlmo` or `albef`.
    public var method: String

    // Shared by every method.
    public var seed: UInt64 = 42
    /// Passes over the training data (`maxSteps`, when set, overrides it); `nil`: the data set's
    /// default (image-text methods, ``resolvedEpochs``).
    public var epochs: Int? = 1
    public var maxSteps: Int?
    /// Examples per step and process (a data-parallel step over P processes sees P times this).
    public var batchSize = 64
    /// AdamW's peak learning rate and decoupled weight decay (biases and norm weights exempt).
    public var learningRate: Float = 3e-5
    public var weightDecay: Float = 0
    /// How the learning rate falls after the warm-up.
    public var schedule: LearningRateDecay = .linear
    /// The warm-up: steps (text and image methods) or a fraction of each stage's steps (image-text).
    public var warmupSteps = 0
    public var warmupFraction: Float = 0.05
    /// Global gradient-norm clipping (Hugging Face Trainer's default 1.0); `nil` disables it.
    public var maxGradientNorm: Float? = 1.0
    /// Skip (and count) steps whose loss or gradients are not finite instead of stopping.
    public var skipNonFinite = false
    /// Precision of matrix products: `bf16` rounds their operands to bfloat16 and accumulates in
    /// fp32, with fp32 master weights and fp32 reductions elsewhere (PyTorch's bf16 autocast).
    public var precision: MatmulPrecision = .fp32
    /// Gradient caching (GradCache): embed the batch in chunks of this many rows without a graph,
    /// then replay each chunk with its dropout masks to back-propagate; `nil` disables it.
    public var gradientCacheChunk: Int?
    /// Resumable checkpoints every N steps and every M minutes (`nil`: not by that measure); a
    /// run stopped by SIGINT or SIGTERM writes one either way.
    public var checkpointEvery: Int?
    public var checkpointMinutes: Double? = 10
    /// The softmax temperature of the contrastive loss.
    public var temperature: Float = 0.05
    /// Momentum encoders (ESimCSE, CERT, MoCo, ALBEF): their momentum and the queue of their keys.
    public var momentum: Float = 0.995
    public var queueSize = 160

    // Text methods (and CLIP fine-tuning).
    /// The model folder training starts from (ALIGN: a CLIP folder to fine-tune), or the shape of
    /// a randomly initialised encoder.
    public var model: String?
    public var initialShape: BertConfiguration.Preset?
    /// The training data: a plain corpus, sentence pairs, triplets or a SICK file (exactly one).
    public var corpus: String?, pairs: String?, triplets: String?, sick: String?
    /// Back-translated paraphrases for `augmentation` `back-translation`.
    public var paraphrases: String?
    /// An STS file or a retrieval folder evaluated during training, the file's format (`nil`:
    /// guessed), the folder's split (`nil`: ``evaluationSplit(of:)``) and how often (`nil`: at the end).
    public var evaluationData: String?
    public var evaluationFormat: STSFileFormat?
    public var evaluationSplit: String?
    public var evaluateEvery: Int?
    /// Evaluation during training on the embeddings' first this many dimensions (`nil`: all).
    public var truncateDimension: Int?
    /// Matryoshka training (``MatryoshkaLoss``): the widths the loss is applied at again, and
    /// their weights (`nil`: all 1); `nil`: the plain loss.
    public var matryoshkaDimensions: SettingList<Int>?
    public var matryoshkaWeights: SettingList<Float>?
    public var maxLength = 32
    /// Training pooling; `cls` trains with SimCSE's MLP over [CLS] and evaluates and saves with
    /// `cls_before_pooler`.
    public var pooling: PoolingMode = .cls
    /// The positive-making augmentation (`none` = dropout noise only).
    public var augmentation = "none"
    /// Supervised SimCSE's log-weight on each anchor's own hard negative; ESimCSE's word-repetition rate.
    public var hardNegativeWeight: Float = 0
    public var duplicationRate: Float = 0.32
    /// CERT's second stage: SICK files to fine-tune an entailment classifier on and to measure
    /// it on, its epochs, batch size and peak learning rate (BERT's GLUE recipe).
    public var fineTuningData: String?, fineTuningEvaluation: String?
    public var fineTuningEpochs = 3, fineTuningBatchSize = 32
    public var fineTuningLearningRate: Float = 2e-5

    // Image and image-text methods.
    /// `fashion-mnist`, `shapes` or a caption file.
    public var dataset = "fashion-mnist"
    /// SimCLR and MoCo: the ResNet, the projection head's widths and the views' augmentations.
    public var encoder: ResNetConfiguration.Preset = .resnet8wide
    public var hiddenSize = 512, projectionSize = 128
    public var imageAugmentation: ImageAugmentation = .noBlur
    /// VLMo: steps of the image-only and the text-only stage as a fraction of the image-text
    /// stage's; the weight of ITM next to ITC; the pairs of each batch ITM scores.
    public var unimodalStageFraction: Float = 0.1
    public var matchingWeight: Float = 1
    public var matchingPairsPerBatch = 32
    /// ALBEF: Shapes images to train on and to report retrieval on, the final distillation weight, MLM's masking rate, the ramp of ITM's negatives from random to
    /// hard (``albefNegativeHardness``), the data set's false captions as ITM negatives (in the
    /// spirit of NegCLIP), and the model's shape.
    public var trainCount = 4000, testCount = 500
    public var alpha: Float = 0.4
    public var mlmProbability: Float = 0.15
    public var itmHardnessRamp: Float = 0
    public var captionNegatives = true
    public var albefShape = ALBEFConfiguration()
    /// Image-text methods: the share of a caption file's (or Shapes') training images held out as
    /// the validation split (0: none), unless `evaluationData` names a caption file to validate on.
    /// The split evaluates retrieval during training, picks `best/`, and calibrates ITM re-ranking.
    public var validationFraction: Float = 0.1

    /// `method`'s defaults: SimCSE's (Gao et al. 2021) for the text methods with CERT's MoCo
    /// settings; a short CPU run on 28x28 images for SimCLR and MoCo (resnet8wide, batch 256,
    /// lr 3e-3 cosine, temperature 0.2 as MoCo v2, no blur); ALIGN's and VLMo's small towers;
    /// ALBEF (Li et al. 2021) scaled down to a small model from scratch (batch 64, queue 1024,
    /// lr 1e-3, momentum 0.95, which from random encoders lets the keys follow within a short run).
    public init(method: String = "simcse") {
        self.method = method
        switch method {
        case "cert":
            (temperature, momentum, queueSize, augmentation, pooling) = (0.07, 0.999, 1024, "back-translation", .clsBeforePooler)
        case "simclr", "moco":
            (batchSize, learningRate, weightDecay, schedule, warmupSteps, maxGradientNorm) = (256, 3e-3, 1e-4, .cosine, 10, nil)
            (temperature, momentum, queueSize) = (0.2, 0.99, 4096)
        case "align", "vlmo":
            (epochs, batchSize, learningRate, weightDecay, schedule, maxGradientNorm) = (nil, 128, 1e-3, 0.01, .cosine, nil)
            if method == "vlmo" { dataset = "shapes" }
        case "albef":
            (epochs, batchSize, learningRate, weightDecay, schedule, maxGradientNorm) = (nil, 64, 1e-3, 0.02, .cosine, nil)
            (dataset, momentum, queueSize) = ("shapes", 0.95, 1024)
        default: break
        }
    }

    /// `method`'s defaults for fine-tuning a pretrained model when `fineTuning` (`align` with
    /// `--model`: CLIP), whose learning rate is ``clipFineTuningLearningRate``, or for ALIGN from
    /// scratch on captioned images when `captions` (Shapes or a caption file), whose learning
    /// rate is ``alignCaptionsLearningRate``.
    public init(method: String, fineTuning: Bool, captions: Bool = false) {
        self.init(method: method)
        guard method == "align" else { return }
        if fineTuning {
            learningRate = Self.clipFineTuningLearningRate
        } else if captions {
            learningRate = Self.alignCaptionsLearningRate
        }
    }

    /// The peak learning rate of ALIGN from scratch on Shapes or a caption file by default: on a
    /// generated 3,000-image caption file 1e-3 left the small towers far from trained (test t2i
    /// R@1 0.874 after 12,000 steps, 0.918 at 2e-3; 4e-3 was worse than 2e-3 at 5,000 steps); see
    /// docs/methods/align.md, "Training length".
    public static let alignCaptionsLearningRate: Float = 2e-3

    /// Whether these settings train ALIGN from scratch on captioned images (Shapes or a caption
    /// file), for retrieval: not on Fashion-MNIST's class names, not fine-tuning CLIP.
    public var trainsALIGNOnCaptions: Bool { method == "align" && !fineTunesCLIP && dataset != "fashion-mnist" }

    /// The peak learning rate of CLIP fine-tuning by default: the low end of what CLIP fine-tuning
    /// uses (1e-5 to 5e-5: FLYP 1e-5, WiSE-FT 3e-5), since ALIGN's 1e-3 from scratch would undo the
    /// pretrained weights within a few steps.
    public static let clipFineTuningLearningRate: Float = 1e-5

    /// Whether these settings fine-tune a pretrained CLIP (`align` with `--model`).
    public var fineTunesCLIP: Bool { method == "align" && model != nil }

    /// Epochs of the default image-text runs on the built-in data sets (a quarter of an hour on
    /// two cores). ALIGN on Shapes: 200 (30,400 steps), since at its learning rate of
    /// ``alignCaptionsLearningRate`` 5,000 steps reached a test t2i R@1 of 0.579 against 0.793
    /// for 30,000, and the earlier 3 epochs at 1e-3 0.086 (docs/methods/align.md).
    public static let defaultEpochs = ["align": ["fashion-mnist": 2, "shapes": 200], "vlmo": ["fashion-mnist": 1, "shapes": 8], "albef": ["shapes": 20]]
    /// Examples a default image-text run on a caption file sees (its steps: this over the batch
    /// size), whatever the file's size: epochs tuned to one file stop a smaller one before it has
    /// learned (10 epochs of 3,000 images are 230 ALIGN steps, at a loss plateau). VLMo, ALBEF and
    /// CLIP fine-tuning; ALIGN from scratch sees ``alignCaptionsExamples``.
    public static let captionFileExamples = 256_000
    /// Examples a default ALIGN run from scratch on a caption file sees: 2,560,000 (20,000 steps
    /// at batch 128, about 10 minutes on two cores). Shorter runs stop while the small towers are
    /// still learning and vary widely with the seed: on two generated 3,000-image files 640,000
    /// gave test t2i R@1 0.75-0.90 and 89% of a run six times longer (docs/methods/align.md,
    /// "Training length").
    public static let alignCaptionsExamples = 2_560_000

    /// Examples a default run of `method` from scratch sees on a caption file.
    public static func defaultCaptionFileExamples(method: String) -> Int {
        method == "align" ? alignCaptionsExamples : captionFileExamples
    }

    /// Examples a default run of these settings sees on a caption file.
    public var captionFileRunExamples: Int {
        fineTunesCLIP ? Self.captionFileExamples : Self.defaultCaptionFileExamples(method: method)
    }

    /// The warm-up of a stage of `steps` steps: `warmupFraction` of them for the image-text
    /// methods, `warmupSteps` for the others.
    public func warmupSteps(of steps: Int) -> Int {
        Self.imageTextMethods.contains(method) ? Int(Float(steps) * warmupFraction) : warmupSteps
    }

    /// `epochs`, or the data set's default; `nil` on a caption file, and for CLIP fine-tuning on
    /// any data (the built-in sets' epochs are those of the small towers from scratch), whose
    /// default run sees ``captionFileRunExamples`` examples.
    public var resolvedEpochs: Int? { epochs ?? (fineTunesCLIP ? nil : Self.defaultEpochs[method]?[dataset]) }

    /// The split of the retrieval folder `folder` evaluated during training: ``evaluationSplit``,
    /// or `dev` when the folder has `qrels/dev.tsv`, otherwise `test`.
    public func evaluationSplit(of folder: URL) -> String {
        evaluationSplit ?? (RetrievalDataset.splits(in: folder).contains("dev") ? "dev" : "test")
    }

    /// The pooling used to evaluate and save a trained sentence encoder.
    public var evaluationPooling: PoolingMode { pooling == .cls ? .clsBeforePooler : pooling }

    /// The image methods' views, for images of `size x size`.
    public func pipeline(size: Int) -> ImagePipeline { .simCLR(size: size, blur: imageAugmentation == .simclr) }

    /// Problems with the settings, one line each naming the flag (empty when valid):
    /// ``valueProblems`` and the starting model and data a text run needs.
    public var problems: [String] {
        var p: [String] = []
        if Self.textMethods.contains(method) {
            if (model == nil) == (initialShape == nil) { p.append("give exactly one of --model DIR and --init SHAPE") }
            if [corpus, pairs, triplets, sick].compactMap({ $0 }).count != 1 {
                p.append(method == "simcse" ? "give exactly one of --corpus, --pairs, --triplets and --sick" : "\(method) trains on a plain corpus (--corpus)")
            }
        }
        return p + valueProblems
    }

    /// Problems with the values of the settings (what a method given its model and data checks).
    public var valueProblems: [String] {
        settings.compactMap { $0.problem(self) }
            + ((fineTuningData == nil) == (fineTuningEvaluation == nil) ? [] : ["give both --finetune-data and --finetune-eval, or neither"])
            + matryoshkaProblems
    }

    /// What is wrong with the Matryoshka settings on their own (the model's width is checked
    /// with the model, ``TextTraining``).
    var matryoshkaProblems: [String] {
        guard let dimensions = matryoshkaDimensions?.values else {
            return matryoshkaWeights == nil ? [] : ["--matryoshka-weights needs --matryoshka-dims"]
        }
        if let problem = MatryoshkaLoss.problem(dimensions: dimensions, weights: matryoshkaWeights?.values) { return ["--matryoshka-dims: \(problem)"] }
        // Pooling cls trains through SimCSE's MLP, which the saved model drops: its truncations
        // would not be the ones trained.
        return pooling == .cls ? ["--matryoshka-dims: pooling cls trains through an MLP the saved model drops; use --pooling mean or cls_before_pooler"] : []
    }

    /// The Matryoshka loss of these settings, when on and valid.
    public var matryoshka: MatryoshkaLoss? {
        matryoshkaDimensions.flatMap { try? MatryoshkaLoss(dimensions: $0.values, weights: matryoshkaWeights?.values) }
    }
}

/// The augmentations that make an image method's two views.
public enum ImageAugmentation: String, Sendable, CaseIterable, SettingChoice {
    /// SimCLR's: crop, flip, colour jitter, grayscale, blur.
    case simclr
    /// The same without blur, which mostly erases a 28-pixel image's detail.
    case noBlur = "no-blur"
}
