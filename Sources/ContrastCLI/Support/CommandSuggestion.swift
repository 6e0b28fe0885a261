import ArgumentParser

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
                let closest = names.min { distance(argument, $0) < distance(argument, $1) }!
                let hint = distance(argument, closest) <= max(2, closest.count / 3) ? " (did you mean '\(closest)'?)" : ""
                return "unknown command '\(path.joined(separator: " ")) \(argument)'\(hint); commands: \(names.joined(separator: ", "))"
            }
            command = subcommands[index]
            path.append(argument)
        }
        return nil
    }

    /// The edit distance between two words (insertions, deletions, substitutions, transpositions).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var d = (0...x.count).map { i in (0...y.count).map { j in i == 0 ? j : j == 0 ? i : 0 } }
        for i in stride(from: 1, through: x.count, by: 1) {
            for j in stride(from: 1, through: y.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}
