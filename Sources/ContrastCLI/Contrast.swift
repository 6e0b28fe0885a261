import ArgumentParser

/// The `contrast` command-line tool.
@main
struct Contrast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contrast",
        abstract: "Contrastive representation learning on the CPU.",
        discussion: """
            Commands that report numbers accept --json: the last line on standard output is then one \
            JSON object. Progress and human-readable output go to standard error.
            """,
        subcommands: [Bench.self])
}
