import ArgumentParser
import Distributed
import Foundation
import Methods

/// The `contrast` command-line tool.
@main
struct Contrast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contrast",
        abstract: "Contrastive representation learning on the CPU.",
        discussion: """
            Results go to standard output: lines of text, or with --json one JSON object as the last \
            line. Progress and diagnostics go to standard error.
            Exit codes: 0 success, 1 a problem with data or files, 2 a usage error, 130 or 143 training stopped \
            by SIGINT or SIGTERM (after writing a checkpoint: continue with --resume).
            """,
        version: VersionInfo.text,
        subcommands: [Demo.self, Train.self, Encode.self, Eval.self, Search.self, MineNegatives.self, ReportCommand.self, Bench.self])

    /// Runs the command, mapping failures to one-line messages and exit codes 2 (usage) and 1 (data).
    static func main() {
        // Before anything built for AVX2 runs.
        if let problem = CPURequirements.problem() {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            Foundation.exit(1)
        }
        if let problem = CommandSuggestion.problem(in: Array(CommandLine.arguments.dropFirst()), root: Contrast.self) {
            fail(problem, code: 2)
        }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // Help and version requests exit 0; parse errors are usage errors.
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(UsageMessage.line(message(for: error), arguments: Array(CommandLine.arguments.dropFirst())), code: 2)
        }
        do {
            var command = command
            try command.run()
            MPIProcess.finalize()
        } catch let error as ValidationError {
            fail(error.message, code: 2)
        } catch CLIError.usage(let message) {
            fail(message, code: 2)
        } catch let error as SettingsError {
            fail(error.description, code: 2)
        } catch let error as RunFolderError {
            fail(error.description, code: error.isUsage ? 2 : 1, error: error)
        } catch TrainingError.interrupted(let signal, let step, let checkpoint) {
            // The conventional status of a process ended by the signal.
            fail(TrainingError.interrupted(signal: signal, step: step, checkpoint: checkpoint).description, code: 128 + signal)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch where exitCode(for: error) == .success {
            // `--help` and `--version` arrive as errors from the help command's run().
            exit(withError: error)
        } catch {
            fail(ErrorMessage.line(for: error), code: 1, error: error)
        }
    }

    /// Under `mpirun`, the message names the failing process, which then stops the whole run
    /// (the others may be waiting for it in a collective).
    /// With `--json`, stdout ends with `{"error": …, "file": …, "line": …, "exit_code": …}` too.
    private static func fail(_ message: String, code: Int32, error: (any Error)? = nil) -> Never {
        let process = MPIProcess.isRunning ? "process \(MPICommunicator().rank): " : ""
        let line = message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data(("error: " + process + line + "\n").utf8))
        if CommandLine.arguments.contains("--json") && (!MPIProcess.isRunning || MPICommunicator().rank == 0) {
            let place = error.map(ErrorMessage.location(of:))
            try? Report.json(ErrorMessage.Failure(error: line, file: place?.file, line: place?.line, exit_code: code))
        }
        MPIProcess.abort(code: code)
        Foundation.exit(code)
    }
}
