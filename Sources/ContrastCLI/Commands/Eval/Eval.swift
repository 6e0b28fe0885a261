import ArgumentParser

/// `contrast eval`: evaluations of trained encoders.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate an encoder.",
        subcommands: [EvalSTS.self, EvalRetrieval.self])
}
