import ArgumentParser
import Text

/// A mistyped subcommand (`contrast trian simcse`) answered with the closest real one, where the
/// argument parser would only report unexpected arguments.
enum CommandSuggestion {
    /// The usage error for the first argument that should name a subcommand and names none, or
    /// `nil` when the subcommands in `arguments` exist (or none is expected).
    static func problem(in arguments: [String], root: ParsableCommand.Type) -> String? {
        var command = root
        var path = [root.configuration.commandName ?? "contrast"]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            // `help` is the argument parser's own subcommand (`contrast help train`).
            guard !subcommands.isEmpty, !argument.hasPrefix("-"), argument != "help" else { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? String(describing: $0).lowercased() }
            guard let index = names.firstIndex(of: argument) else {
                let hint = EditDistance.suggestion(for: argument, among: names)
                return "unknown command '\(path.joined(separator: " ")) \(argument)'\(hint); commands: \(names.joined(separator: ", "))"
            }
            command = subcommands[index]
            path.append(argument)
        }
        return nil
    }
}
