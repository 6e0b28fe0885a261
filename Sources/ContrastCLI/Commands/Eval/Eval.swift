import ArgumentParser

/// `contrast eval`: evaluations of trained encoders.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate an encoder (sentences: sts; image-text models: zeroshot, retrieval).",
        subcommands: [EvalSTS.self, EvalZeroShot.self, EvalRetrieval.self])
}
