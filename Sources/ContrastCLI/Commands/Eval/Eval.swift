import ArgumentParser

/// `contrast eval`: evaluations of trained encoders.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate an encoder (sentences: sts; images: linear-probe; image-text models: zeroshot, retrieval).",
        subcommands: [EvalSTS.self, EvalLinearProbe.self, EvalZeroShot.self, EvalRetrieval.self])
}
