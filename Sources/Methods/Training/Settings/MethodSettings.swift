/// Which settings each method has: one table, each setting naming its methods, so that
/// `contrast train METHOD` lists no flag the method ignores.
extension TrainingSettings {
    /// The methods by family, those with a momentum encoder, and all of them.
    public static let textMethods: Set = ["simcse", "esimcse", "cert"], imageMethods: Set = ["simclr", "moco"]
    public static let imageTextMethods: Set = ["align", "vlmo", "albef"], momentumMethods: Set = ["esimcse", "cert", "moco", "albef"]
    public static let allMethods = textMethods.union(imageMethods).union(imageTextMethods)

    /// The settings of `method`, in the order help lists them.
    public var settings: [Setting] { Self.table.filter { $0.methods.contains(method) } }

    /// Every setting: inputs, then what every method has, then each family's and method's own.
    static let table: [Setting] = [
        Setting("model", \.model, "Start from this model folder (Hugging Face / sentence-transformers layout).", for: textMethods, valueName: "path"),
        Setting("model", \.model, "A Hugging Face CLIP folder to fine-tune (its tokenizer and image preprocessing too; --lr then defaults to "
                + "\(TrainingSettings.clipFineTuningLearningRate)) instead of training the small towers from scratch.", for: ["align"], valueName: "path"),
        Setting("init", \.initialShape, "Or start from a randomly initialised encoder of this shape (for tests).", for: textMethods),
        Setting("corpus", \.corpus, "Plain corpus, one sentence per line (unsupervised).", for: textMethods, valueName: "path"),
        Setting("pairs", \.pairs, "Sentence pairs, TSV or CSV: sent0, sent1 (supervised positives).", for: ["simcse"], valueName: "path"),
        Setting("triplets", \.triplets, "Triplets (CSV with header sent0,sent1,hard_neg) or n-tuples (header anchor,positive,negative_1,...,negative_n; "
                + ".tsv files tab-separated), as contrast mine-negatives writes them: supervised with hard negatives.", for: ["simcse"], valueName: "path"),
        Setting("sick", \.sick, "SICK file as supervised examples (entailments positives, contradictions hard negatives).", for: ["simcse"], valueName: "path"),
        Setting("dataset", \.dataset, "Images: fashion-mnist (training split, labels unused), shapes (generated 32x32 scenes), or a caption file "
                + "(TSV/JSONL/CSV of image paths; captions unused).", for: imageMethods, valueName: "name|path"),
        Setting("dataset", \.dataset, "fashion-mnist (class-name captions), shapes (generated scenes), or a caption file.", for: ["align", "vlmo"], valueName: "name|path"),
        Setting("dataset", \.dataset, "Training data: shapes (generated scenes) or a caption file.", for: ["albef"], valueName: "name|path"),
        Setting("train-count", \.trainCount, "Shapes training images.", for: ["albef"], must: "be at least 1") { $0 >= 1 },
        Setting("test-count", \.testCount, "Shapes test images of the final retrieval report (0: none).", for: ["albef"], must: "not be negative") { $0 >= 0 },
        Setting("epochs", \.epochs, "Passes over the training data (none: the data set's default; on a caption file, a number of examples seen: \(TrainingSettings.alignCaptionsExamples) for ALIGN, \(TrainingSettings.captionFileExamples) for the others).", changeableOnResume: true, must: "be at least 1") { $0 >= 1 },
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
                changeableOnResume: true, must: "not be negative") { $0 >= 0 },
        Setting("warmup-steps", \.warmupSteps, "Linear warm-up steps.", for: textMethods.union(imageMethods), must: "not be negative") { $0 >= 0 },
        Setting("warmup-fraction", \.warmupFraction, "Fraction of each stage's steps warming up.", for: imageTextMethods, must: "be in [0, 1)") { (0..<1).contains($0) },
        Setting("temperature", \.temperature, "Softmax temperature of the contrastive loss.", for: textMethods.union(imageMethods), must: "be positive") { $0 > 0 },
        Setting("max-length", \.maxLength, "Tokens per sentence.", for: textMethods, must: "be at least 3") { $0 >= 3 },
        Setting("pooling", \.pooling, "Pooling (cls: SimCSE's MLP over [CLS] in training only).", for: textMethods),
        Setting("augment", \.augmentation, "Positive-making augmentation: none (dropout noise only), repetition[:rate], deletion[:p], "
                + "insertion[:rate], swap[:rate], cutoff-token[:rate], cutoff-span[:rate], cutoff-feature[:rate], back-translation.", for: textMethods),
        Setting("paraphrases", \.paraphrases, "Back-translation paraphrases: TSV (sentence, paraphrases...) or JSONL {\"text\", \"paraphrases\"}.", for: textMethods, valueName: "path"),
        Setting("encoder", \.encoder, "The ResNet encoder.", for: imageMethods),
        Setting("hidden-size", \.hiddenSize, "Width of the projection head's hidden layer.", for: imageMethods, must: "be at least 1") { $0 >= 1 },
        Setting("projection-size", \.projectionSize, "Width of the projections the loss compares.", for: imageMethods, must: "be at least 1") { $0 >= 1 },
        Setting("augment", \.imageAugmentation, "Augmentations: simclr (crop, flip, colour jitter, grayscale, blur) or no-blur.", for: imageMethods),
        Setting("grad-cache-chunk", \.gradientCacheChunk, "Gradient caching: embed the batch in chunks of N rows and replay them for the backward pass.",
                for: textMethods.union(["align"]), must: "be at least 1") { $0 >= 1 },
        Setting("eval-data", \.evaluationData, "Evaluated during training and at the end, the best model going to best/: an STS file (STS-B or SICK "
                + "format; by Spearman), or a retrieval folder with corpus.jsonl, queries.jsonl and qrels/SPLIT.tsv (BEIR layout; by nDCG@10).",
                for: textMethods, valueName: "path"),
        Setting("eval-data", \.evaluationData, "A caption file to validate on instead of holding out --validation-fraction of the training images: "
                + "retrieval evaluated during training (best/ by text-to-image R@1) and ITM re-ranking calibrated on it.", for: imageTextMethods, valueName: "path"),
        Setting("validation-fraction", \.validationFraction, "Share of the training images (a caption file or shapes) held out to validate on "
                + "(0: none): retrieval evaluated during training, best/ kept by it, ITM re-ranking calibrated on it.", for: imageTextMethods,
                must: "be in [0, 0.5]") { (0...0.5).contains($0) },
        Setting("eval-format", \.evaluationFormat, "Format of an --eval-data STS file (none: guessed from the file name).", for: textMethods),
        Setting("eval-split", \.evaluationSplit, "Split of an --eval-data retrieval folder (none: dev when the folder has qrels/dev.tsv, otherwise test).",
                for: textMethods, must: "not be empty") { !$0.isEmpty },
        Setting("eval-every", \.evaluateEvery, "Evaluate every N steps and at the end, keeping the best model in best/ (none: no evaluation during training, "
                + "but every tenth of the run for image-text methods with a validation split).",
                changeableOnResume: true, must: "be at least 1") { $0 >= 1 },
        Setting("truncate-dim", \.truncateDimension, "Evaluate during training on the embeddings' first N dimensions (none: all of them).",
                for: textMethods, changeableOnResume: true, must: "be at least 1") { $0 >= 1 },
        Setting("matryoshka-dims", \.matryoshkaDimensions, "Matryoshka: apply the loss again to the embeddings' first N dimensions for each N "
                + "(e.g. 384,256,128,64) and sum, so that truncated embeddings keep working (none: the plain loss).", for: ["simcse"]),
        Setting("matryoshka-weights", \.matryoshkaWeights, "Matryoshka: one weight per --matryoshka-dims width (none: all 1).", for: ["simcse"]),
        Setting("momentum", \.momentum, "Momentum of the momentum (key) encoder.", for: momentumMethods, must: "be in [0, 1)") { $0 >= 0 && $0 < 1 },
        Setting("queue-size", \.queueSize, "Momentum-encoder keys kept as negatives.", for: momentumMethods, must: "be at least 1") { $0 >= 1 },
        Setting("hard-negative-weight", \.hardNegativeWeight, "Log-weight on each anchor's own hard negatives.", for: ["simcse"]),
        Setting("dup-rate", \.duplicationRate, "Word-repetition rate of the positive view (with --augment none).", for: ["esimcse"], must: "be in [0, 1]") { (0...1).contains($0) },
        Setting("finetune-data", \.fineTuningData, "SICK file to fine-tune the entailment classifier on (stage 2).", for: ["cert"], valueName: "path"),
        Setting("finetune-eval", \.fineTuningEvaluation, "SICK file the classifier's accuracy is measured on.", for: ["cert"], valueName: "path"),
        Setting("finetune-epochs", \.fineTuningEpochs, "Fine-tuning epochs.", for: ["cert"], must: "be at least 1") { $0 >= 1 },
        Setting("finetune-batch-size", \.fineTuningBatchSize, "Labelled pairs per fine-tuning step and process.", for: ["cert"], must: "be at least 1") { $0 >= 1 },
        Setting("finetune-lr", \.fineTuningLearningRate, "Peak learning rate of fine-tuning (linear decay after 10% warm-up).", for: ["cert"], must: "be positive") { $0 > 0 },
        Setting("unimodal-fraction", \.unimodalStageFraction, "Steps of the image-only and the text-only stage, each as a fraction of the image-text stage's.",
                for: ["vlmo"], must: "be positive") { $0 > 0 },
        Setting("itm-weight", \.matchingWeight, "Weight of the ITM loss next to ITC in the image-text stage.", for: ["vlmo"], must: "not be negative") { $0 >= 0 },
        Setting("itm-pairs", \.matchingPairsPerBatch, "Pairs of each batch ITM scores (each with two hard negatives).", for: ["vlmo"], must: "be at least 1") { $0 >= 1 },
        Setting("alpha", \.alpha, "Final weight of momentum distillation (ramped up over the first epoch).", for: ["albef"], must: "be in [0, 1]") { (0...1).contains($0) },
        Setting("mlm-probability", \.mlmProbability, "Share of caption tokens masked for MLM.", for: ["albef"], must: "be in (0, 1)") { $0 > 0 && $0 < 1 },
        Setting("itm-hardness-ramp", \.itmHardnessRamp, "Share of the run over which ITM negatives go from random to hard (0: hard throughout).",
                for: ["albef"], must: "not be negative") { $0 >= 0 },
        Setting("caption-negatives", \.captionNegatives, "ITM also pairs each image with one of the data set's false captions (Shapes' swapped attributes); =false: without.",
                for: ["albef"]),
    ]
}
