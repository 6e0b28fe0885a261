import ArgumentParser
import Foundation
import Methods

/// The flags every training command has for its run folder: replacing an earlier run or
/// resuming one.
struct RunFolderOptions: ParsableArguments {
    @Flag(help: "Continue the run in --output from its last checkpoint (settings that change the run are refused).") var resume = false
    @Flag(help: "Replace an earlier run in --output once this one is complete.") var overwrite = false

    /// The folder and what these flags mean to do with it, without looking at the disk: for the
    /// other processes of a data-parallel run, whose folder process 0 checks and opens.
    func target(_ output: String) throws -> (destination: URL, intent: RunFolder.Intent) {
        (URL(fileURLWithPath: output), try RunFolder.intent(overwrite: overwrite, resume: resume))
    }

    /// Checks `output` against the run-folder rules for these flags and, on `--resume`, that
    /// `settings` continue the run there; changes nothing on disk.
    func check(_ output: String, settings: TrainingSettings) throws -> (destination: URL, intent: RunFolder.Intent) {
        let (destination, intent) = try target(output)
        try RunFolder.check(destination, intent: intent)
        if intent == .resume { try RunFolder.checkResumable(destination, with: settings) }
        return (destination, intent)
    }
}

extension Report {
    /// After training into `run`: moves a complete run into place and says so, or says that the
    /// resumed run had already finished.
    static func finish(_ run: RunFolder, wasComplete: Bool, steps: Int, seconds: Double) throws {
        if wasComplete {
            info("\(run.destination.path): the run is already complete (\(steps) steps); nothing to resume")
        } else {
            try run.complete()
            info("trained \(steps) steps in \(Format.fixed(seconds, 1)) s; model saved to \(run.destination.path)")
        }
    }
}
