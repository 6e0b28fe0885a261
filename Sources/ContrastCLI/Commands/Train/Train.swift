import ArgumentParser
import Foundation
import Methods

/// `contrast train`: contrastive training methods, one subcommand each.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a sentence encoder (simcse, esimcse, cert), an image encoder (simclr, moco) or an image-text model (align, vlmo, albef) with a contrastive method.",
        discussion: "Each method's defaults come from its paper, scaled to CPU runs where the paper's are GPU-sized; `contrast train METHOD --help` lists them.",
        subcommands: [TrainMethod<SimCSECommand>.self, TrainMethod<ESimCSECommand>.self, TrainMethod<CERTCommand>.self,
                      TrainMethod<SimCLRCommand>.self, TrainMethod<MoCoCommand>.self,
                      TrainMethod<ALIGNCommand>.self, TrainMethod<VLMoCommand>.self, TrainMethod<ALBEFCommand>.self])
}

/// A training method as a `contrast train` subcommand: its description, its settings with their
/// defaults (flags, `--config` keys and `training_config.json` alike), and the run.
protocol MethodCommand {
    static var name: String { get }
    static var abstract: String { get }
    static var discussion: String { get }
    /// Reads and checks every input (nothing on disk changes before), then trains in `session`
    /// and reports.
    static func train(_ settings: TrainingSettings, session: TrainingSession) throws
}

/// `contrast train METHOD`: the method's settings from its defaults (fine-tuning's, for CLIP),
/// then `--config`, then flags; the run folder's flags; then the method's run.
struct TrainMethod<Method: MethodCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Method.name, abstract: Method.abstract, discussion: Method.discussion + """


            SETTINGS (also the keys of a --config file and of the run's training_config.json; a flag wins over the file):
            \(TrainingSettings(method: Method.name).help)
            """)
    }

    @Option(help: "Run folder: the trained model, metrics.jsonl, training_config.json, checkpoints.") var output: String
    @Option(help: "Settings file: JSON, or flat YAML (.yaml/.yml), keyed by the settings' names (a run's training_config.json replays it; default: none).")
    var config: String?
    @OptionGroup var runOptions: RunFolderOptions
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON summary as the last line of stdout.") var json = false
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The method's settings (listed above).", valueName: "settings"))
    var settings: [String] = []

    func run() throws {
        var resolved = try resolve(over: TrainingSettings(method: Method.name))
        // Fine-tuning CLIP has defaults of its own (a lower learning rate), under the same file and flags.
        if resolved.fineTunesCLIP { resolved = try resolve(over: TrainingSettings(method: Method.name, fineTuning: true)) }
        // So has ALIGN from scratch on Shapes or a caption file (a higher learning rate).
        if resolved.trainsALIGNOnCaptions { resolved = try resolve(over: TrainingSettings(method: Method.name, fineTuning: false, captions: true)) }
        if let problem = resolved.problems.first { throw CLIError.usage(problem) }
        try Method.train(resolved, session: TrainingSession(output: output, options: runOptions, settings: resolved, quiet: quiet, json: json))
    }

    /// `defaults`, then `--config`, then the flags.
    private func resolve(over defaults: TrainingSettings) throws -> TrainingSettings {
        var resolved = defaults
        if let config { try resolved.apply(contentsOf: URL(fileURLWithPath: config)) }
        try resolved.apply(arguments: settings)
        return resolved
    }
}
