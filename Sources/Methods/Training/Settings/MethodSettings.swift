/// Which settings each method has: the shared ones once, then the method family's and the
/// method's own, so that `contrast train METHOD` lists no flag the method ignores.
extension TrainingSettings {
    /// The settings of `method`, in the order help lists them.
    public var settings: [Setting] {
        switch method {
        case "simcse", "esimcse", "cert": return textSettings
        case "simclr", "moco": return imageSettings
        case "albef": return albefSettings
        default: return imageTextSettings
        }
    }

    /// The settings every method has.
    static let shared: [Setting] = [
        Setting("epochs", \.epochs, "Passes over the training data (none: the data set's default).", changeableOnResume: true, must: "be at least 1") { $0 >= 1 },
        Setting("seed", \.seed, "Random seed: initialisation, data order, augmentations, dropout."),
        Setting("max-steps", \.maxSteps, "Train this many steps (overrides --epochs).", changeableOnResume: true, must: "be at least 1") { $0 >= 1 },
        Setting("batch-size", \.batchSize, "Examples per step and process (under mpirun -np P a step sees P times this).", must: "be at least 2 (in-batch negatives)") { $0 >= 2 },
        Setting("lr", \.learningRate, "Peak learning rate (AdamW).", must: "be positive") { $0 > 0 },
        Setting("weight-decay", \.weightDecay, "AdamW's decoupled weight decay (biases and norm weights exempt).", must: "not be negative") { $0 >= 0 },
        Setting("schedule", \.schedule, "How the learning rate falls after the warm-up."),
        Setting("max-grad-norm", \.maxGradientNorm, "Clip the global gradient norm to this (none: no clipping).", must: "be positive (none: no clipping)") { $0 > 0 },
        Setting("skip-nonfinite", \.skipNonFinite, "Skip steps whose loss or gradients are not finite instead of stopping.", changeableOnResume: true),
        Setting("precision", \.precision, "Precision of matrix products: fp32, or bf16 (bf16 operands, fp32 accumulation and master weights)."),
        Setting("checkpoint-every", \.checkpointEvery, "Write a resumable checkpoint every N steps (none: by time only).", changeableOnResume: true, must: "be at least 1") { $0 >= 1 },
        Setting("checkpoint-minutes", \.checkpointMinutes, "Write a resumable checkpoint when this many minutes passed since the last (none or 0: by steps only).",
                changeableOnResume: true, must: "not be negative") { $0 >= 0 }]

    static let gradientCaching = Setting("grad-cache-chunk", \.gradientCacheChunk, "Gradient caching: embed the batch in chunks of N rows and replay them for the backward pass.", must: "be at least 1") { $0 >= 1 }
    static let temperature = Setting("temperature", \.temperature, "Softmax temperature of the contrastive loss.", must: "be positive") { $0 > 0 }
    static let momentumEncoder = [Setting("momentum", \.momentum, "Momentum of the momentum (key) encoder.", must: "be in [0, 1)") { $0 >= 0 && $0 < 1 },
                                  Setting("queue-size", \.queueSize, "Momentum-encoder keys kept as negatives.", must: "be at least 1") { $0 >= 1 }]
    static let evaluateEvery = Setting("eval-every", \.evaluateEvery, "Evaluate every N steps and at the end, keeping the best model in best/ "
                                       + "(none: no evaluation during training).", changeableOnResume: true, must: "be at least 1") { $0 >= 1 }
    static let warmupSteps = Setting("warmup-steps", \.warmupSteps, "Linear warm-up steps.", must: "not be negative") { $0 >= 0 }
    static let warmupFraction = Setting("warmup-fraction", \.warmupFraction, "Fraction of each stage's steps warming up.", must: "be in [0, 1)") { (0..<1).contains($0) }

    private var textSettings: [Setting] {
        var list = [Setting("model", \.model, "Start from this model folder (Hugging Face / sentence-transformers layout).", valueName: "path"),
                    Setting("init", \.initialShape, "Or start from a randomly initialised encoder of this shape (for tests)."),
                    Setting("corpus", \.corpus, "Plain corpus, one sentence per line (unsupervised).", valueName: "path")]
        if method == "simcse" {
            list += [Setting("pairs", \.pairs, "Sentence pairs, TSV or CSV: sent0, sent1 (supervised positives).", valueName: "path"),
                     Setting("triplets", \.triplets, "Triplets, CSV with header sent0,sent1,hard_neg (supervised with hard negatives).", valueName: "path"),
                     Setting("sick", \.sick, "SICK file as supervised examples (entailments positives, contradictions hard negatives).", valueName: "path"),
                     Setting("hard-negative-weight", \.hardNegativeWeight, "Log-weight on each anchor's own hard negative.")]
        }
        list += Self.shared + [
            Self.warmupSteps, Self.temperature,
            Setting("max-length", \.maxLength, "Tokens per sentence.", must: "be at least 3") { $0 >= 3 },
            Setting("pooling", \.pooling, "Pooling (cls: SimCSE's MLP over [CLS] in training only)."),
            Setting("augment", \.augmentation, "Positive-making augmentation: none (dropout noise only), repetition[:rate], deletion[:p], "
                    + "insertion[:rate], swap[:rate], cutoff-token[:rate], cutoff-span[:rate], cutoff-feature[:rate], back-translation."),
            Setting("paraphrases", \.paraphrases, "Back-translation paraphrases: TSV (sentence, paraphrases...) or JSONL {\"text\", \"paraphrases\"}.", valueName: "path"),
            Self.gradientCaching,
            Setting("eval-data", \.evaluationData, "STS file evaluated during training and at the end (STS-B or SICK format); the best model goes to best/.",
                    valueName: "path"),
            Setting("eval-format", \.evaluationFormat, "Format of --eval-data (none: guessed from the file name)."), Self.evaluateEvery]
        if method != "simcse" { list += Self.momentumEncoder }
        if method == "esimcse" { list.append(Setting("dup-rate", \.duplicationRate, "Word-repetition rate of the positive view (with --augment none).", must: "be in [0, 1]") { (0...1).contains($0) }) }
        if method == "cert" {
            list += [Setting("finetune-data", \.fineTuningData, "SICK file to fine-tune the entailment classifier on (stage 2).", valueName: "path"),
                     Setting("finetune-eval", \.fineTuningEvaluation, "SICK file the classifier's accuracy is measured on.", valueName: "path"),
                     Setting("finetune-epochs", \.fineTuningEpochs, "Fine-tuning epochs.", must: "be at least 1") { $0 >= 1 },
                     Setting("finetune-batch-size", \.fineTuningBatchSize, "Labelled pairs per fine-tuning step and process.", must: "be at least 1") { $0 >= 1 },
                     Setting("finetune-lr", \.fineTuningLearningRate, "Peak learning rate of fine-tuning (linear decay after 10% warm-up).", must: "be positive") { $0 > 0 }]
        }
        return list
    }

    private var imageSettings: [Setting] {
        [Setting("dataset", \.dataset, "Images: fashion-mnist (training split, labels unused), shapes (generated 32x32 scenes), or a caption file "
                 + "(TSV/JSONL/CSV of image paths; captions unused).", valueName: "name|path")]
            + Self.shared + [
            Self.warmupSteps, Self.temperature,
            Setting("encoder", \.encoder, "The ResNet encoder."),
            Setting("hidden-size", \.hiddenSize, "Width of the projection head's hidden layer.", must: "be at least 1") { $0 >= 1 },
            Setting("projection-size", \.projectionSize, "Width of the projections the loss compares.", must: "be at least 1") { $0 >= 1 },
            Setting("augment", \.imageAugmentation, "Augmentations: simclr (crop, flip, colour jitter, grayscale, blur) or no-blur."),
            Self.evaluateEvery]
            + (method == "moco" ? Self.momentumEncoder : [])
    }

    private var imageTextSettings: [Setting] {
        [Setting("dataset", \.dataset, "fashion-mnist (class-name captions), shapes (generated scenes), or a caption file.", valueName: "name|path")]
            + Self.shared + [Self.warmupFraction, Self.evaluateEvery]
            + (method == "align" ? [Self.gradientCaching] : [
                Setting("unimodal-fraction", \.unimodalStageFraction, "Steps of the image-only and the text-only stage, each as a fraction of the image-text stage's.", must: "be positive") { $0 > 0 },
                Setting("itm-weight", \.matchingWeight, "Weight of the ITM loss next to ITC in the image-text stage.", must: "not be negative") { $0 >= 0 },
                Setting("itm-pairs", \.matchingPairsPerBatch, "Pairs of each batch ITM scores (each with two hard negatives).", must: "be at least 1") { $0 >= 1 }])
    }

    private var albefSettings: [Setting] {
        [Setting("dataset", \.dataset, "Training data: shapes (generated scenes) or a caption file.", valueName: "name|path"),
         Setting("train-count", \.trainCount, "Shapes training images.", must: "be at least 1") { $0 >= 1 },
         Setting("test-count", \.testCount, "Shapes test images of the final retrieval report (0: none).", must: "not be negative") { $0 >= 0 },
         Setting("rerank-depth", \.rerankDepth, "Candidates per query the ITM head re-ranks in the retrieval report.", changeableOnResume: true, must: "be at least 1") { $0 >= 1 }]
            + Self.shared + [Self.warmupFraction, Self.evaluateEvery] + Self.momentumEncoder + [
            Setting("alpha", \.alpha, "Final weight of momentum distillation (ramped up over the first epoch).", must: "be in [0, 1]") { (0...1).contains($0) },
            Setting("mlm-probability", \.mlmProbability, "Share of caption tokens masked for MLM.", must: "be in (0, 1)") { $0 > 0 && $0 < 1 },
            Setting("itm-hardness-ramp", \.itmHardnessRamp, "Share of the run over which ITM negatives go from random to hard (0: hard throughout).", must: "not be negative") { $0 >= 0 },
            Setting("caption-negatives", \.captionNegatives, "ITM also pairs each image with one of the data set's false captions (Shapes' swapped attributes); =false: without.")]
    }
}
