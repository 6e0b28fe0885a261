import Foundation
import TestSupport
import Testing

/// Every subcommand's `--help` against docs/cli.md: each flag is in its vocabulary, each option
/// that takes a value shows its default (or is required), and no help text names Swift types or
/// files of the repository an installed binary does not have.
@Suite struct HelpVocabularyTests {
    let cli = CommandLineTests()

    /// The flags docs/cli.md names (every backticked `--flag`).
    func vocabulary() throws -> Set<String> {
        let text = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        return Set(text.matches(of: /`(--[a-z0-9-]+)/).map { String($0.1) })
    }

    /// `(command, help)` for the root and every subcommand below it.
    func helps(_ command: [String] = []) throws -> [(command: String, help: String)] {
        let outcome = try cli.run(command + ["--help"])
        #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
        var result = [(command.joined(separator: " "), outcome.stdout)]
        if let section = outcome.stdout.components(separatedBy: "SUBCOMMANDS:").dropFirst().first {
            for line in section.split(separator: "\n") {
                guard let name = line.firstMatch(of: /^  ([a-z][a-z0-9-]*)\s/)?.1, name != "help" else { continue }
                result += try helps(command + [String(name)])
            }
        }
        return result
    }

    /// Each option's entry: its first line (starting with `--` or `-x, --`) with the lines that
    /// continue it (indented under OPTIONS, at the margin in a discussion's list), up to a blank
    /// line, a section header or the next entry.
    func entries(_ help: String) -> [String] {
        var entries: [String] = [], open = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.firstMatch(of: /^  (-[a-z], )?--[a-z]/) != nil {
                entries.append(String(line))
                open = true
            } else if line.allSatisfy(\.isWhitespace) || line.firstMatch(of: /^[A-Z][A-Z ]+:/) != nil {
                open = false
            } else if open {
                entries[entries.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return entries
    }

    @Test func everyFlagIsInTheVocabularyAndEveryOptionShowsItsDefault() throws {
        let known = try vocabulary()
        #expect(known.count > 40, "docs/cli.md lists \(known.count) flags")
        let all = try helps()
        #expect(all.count >= 25, "walked \(all.count) commands")
        for (command, help) in all {
            let usage = help.components(separatedBy: "USAGE:").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
            for entry in entries(help) {
                guard let flag = entry.firstMatch(of: /--[a-z0-9-]+/).map({ String($0.0) }) else { continue }
                #expect(known.contains(flag), "contrast \(command): \(flag) is not in docs/cli.md's vocabulary")
                // An option with a value: `--flag <value>`.
                let takesValue = entry.firstMatch(of: /--[a-z0-9-]+ <[^>]+>/) != nil
                let required = usage.contains(" \(flag) ") && !usage.contains("[\(flag)")
                if takesValue && !required {
                    #expect(entry.lowercased().contains("default"), "contrast \(command): \(flag) shows no default: \(entry)")
                }
                if flag == "--seed" { #expect(entry.contains("default: 42"), "contrast \(command): \(entry)") }
            }
            // Commands that report numbers and are not benchmarks (which show no progress) can be quiet.
            let flags = Set(entries(help).compactMap { $0.firstMatch(of: /--[a-z0-9-]+/).map { String($0.0) } })
            if flags.contains("--json") && !command.hasPrefix("bench") {
                #expect(flags.contains("--quiet"), "contrast \(command) has --json but no --quiet")
            }
            // Help that stands alone: no Swift type names, no repository paths an installed binary lacks.
            for fragment in ["docs/", "()", "see the discussion"] {
                #expect(!help.contains(fragment), "contrast \(command) --help mentions '\(fragment)'")
            }
        }
    }
}
