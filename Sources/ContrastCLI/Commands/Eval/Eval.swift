import ArgumentParser

/// `contrast eval`: evaluations of trained encoders.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate an encoder (sentences: sts, retrieval-text; images: linear-probe; image-text models: zeroshot, retrieval).",
        subcommands: [EvalSTS.self, EvalRetrievalText.self, EvalLinearProbe.self, EvalZeroShot.self, EvalRetrieval.self])
}
