import ArgumentParser
import Methods

/// `contrast train`: contrastive training methods.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a sentence encoder with a contrastive method.",
        discussion: "Each method's defaults come from its paper; see docs/methods/ for where each comes from.",
        subcommands: [TrainSimCSE.self])
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
        try run.train(SimCSE(encoder: run.encoder, configuration: c))
    }
}
