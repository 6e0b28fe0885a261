import ArgumentParser
import Foundation
import Methods

/// `contrast train`: contrastive training methods.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a sentence encoder (simcse, esimcse, cert), an image encoder (simclr, moco) or an image-text model (align, vlmo, albef) with a contrastive method.",
        discussion: "Each method's defaults come from its paper; see docs/methods/ for where each comes from.",
        subcommands: [TrainSimCSE.self, TrainESimCSE.self, TrainCERT.self, TrainSimCLR.self, TrainMoCo.self, TrainALIGN.self, TrainVLMo.self, TrainALBEF.self])
}

/// `contrast train simcse`.
struct TrainSimCSE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simcse",
        abstract: "SimCSE: unsupervised (--corpus, dropout noise) or supervised (--pairs, --triplets, --sick).",
        discussion: "Defaults (Gao et al. 2021): temperature 0.05, lr 3e-5, batch 64, max length 32, pooling cls with an MLP in training only, linear decay, no weight decay.")

    @OptionGroup var options: TrainOptions

    func run() throws {
        let c = try options.resolvedConfiguration(method: "simcse", defaults: TrainingConfiguration())
        let run = try TrainingRun(options: options, configuration: c)
        try run.session.printSummary(run.train(SimCSE(encoder: run.encoder, configuration: c, views: run.views)).summary)
    }
}

/// `contrast train esimcse`.
struct TrainESimCSE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "esimcse",
        abstract: "ESimCSE: unsupervised SimCSE with word-repetition positives and a momentum-encoder queue of negatives (--corpus).",
        discussion: "Defaults (Wu et al. 2021): duplication rate 0.32, momentum 0.995, queue 160, temperature 0.05, lr 3e-5, batch 64, max length 32. --augment replaces word repetition as the positive view.")

    @OptionGroup var options: TrainOptions

    func run() throws {
        let c = try options.resolvedConfiguration(method: "esimcse", defaults: TrainingConfiguration())
        guard options.corpus != nil else { throw CLIError.usage("esimcse trains on a plain corpus (--corpus)") }
        let run = try TrainingRun(options: options, configuration: c)
        try run.session.printSummary(run.train(ESimCSE(encoder: run.encoder, configuration: c, views: options.augment == nil ? nil : run.views)).summary)
    }
}

/// `contrast train cert`: contrastive pre-training, then fine-tuning a sentence-pair classifier.
struct TrainCERT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "CERT: MoCo-style contrastive training over augmented sentences (--corpus), then fine-tuning on SICK entailment.",
        discussion: """
            Stage 1 (Fang et al. 2020, MoCo settings): views from --paraphrases (back-translation) or --augment, \
            momentum 0.999, queue 1024, temperature 0.07. Stage 2, when --finetune-data is given: a 3-class \
            entailment classifier (SICK format) fine-tuned for --finetune-epochs, accuracy on --finetune-eval.
            """)

    @OptionGroup var options: TrainOptions
    @Option(name: .customLong("finetune-data"), help: "SICK-format file to fine-tune the entailment classifier on.") var finetuneData: String?
    @Option(name: .customLong("finetune-eval"), help: "SICK-format file the classifier's accuracy is measured on.") var finetuneEval: String?
    @Option(name: .customLong("finetune-epochs"), help: "Fine-tuning epochs.") var finetuneEpochs = 3

    func validate() throws {
        guard (finetuneData == nil) == (finetuneEval == nil) else { throw ValidationError("give both --finetune-data and --finetune-eval, or neither") }
        guard finetuneEpochs > 0 else { throw ValidationError("--finetune-epochs must be positive") }
    }

    func run() throws {
        let c = try options.resolvedConfiguration(method: "cert", defaults: CERT.defaults)
        guard options.corpus != nil else { throw CLIError.usage("cert pre-trains on a plain corpus (--corpus)") }
        // Stage 2's files are read before stage 1 trains: a bad one stops the run before it starts.
        let fineTuningData = try finetuneData.map { data in
            (train: try EntailmentFineTuning.pairs(URL(fileURLWithPath: data)), eval: try EntailmentFineTuning.pairs(URL(fileURLWithPath: finetuneEval!)))
        }
        let run = try TrainingRun(options: options, configuration: c)
        let (summary, folder) = try run.train(CERT(encoder: run.encoder, configuration: c, views: run.views))
        // Fine-tuning runs in one process: process 0 of an MPI run.
        guard let fineTuningData, run.session.communicator.isRoot, !summary.wasComplete else { return try run.session.printSummary(summary) }
        var fineTuning = PairClassificationTraining()
        fineTuning.epochs = finetuneEpochs
        fineTuning.seed = c.seed
        let accuracy = try EntailmentFineTuning.run(encoder: run.encoder, training: fineTuning, trainPairs: fineTuningData.train,
                                                    evalPairs: fineTuningData.eval, output: folder.destination, quiet: options.quiet)
        try run.session.printSummary(summary, metrics: ["sick_accuracy": accuracy])
    }
}
