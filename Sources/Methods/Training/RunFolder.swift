import Foundation
import Text

/// A run's output folder, with the rules that keep a user's files safe:
///
/// - A new run goes into a missing or empty folder; a non-empty one is refused.
/// - `overwrite` replaces only a folder this tool wrote (it holds ``markerName``, or the
///   `training_config.json` / `metrics.jsonl` of runs made before the marker). The new run is
///   written into a temporary sibling folder and replaces the old one only once it is complete
///   (``complete()``): a run that fails or is killed leaves the old one as it was.
/// - `resume` continues a folder this tool wrote; the trainer then requires a checkpoint in it.
/// - The current folder and the folders above it are never replaced.
///
/// Callers validate every input first and open the folder last, so that nothing on disk changes
/// before the run can start.
public struct RunFolder: Sendable {
    /// What the caller means to do with the folder.
    public enum Intent: String, Sendable {
        /// A new run: the folder must be missing or empty (`--output` alone).
        case create
        /// Replace an earlier run of this tool once the new one is complete (`--overwrite`).
        case overwrite
        /// Continue the run in the folder from its checkpoint (`--resume`).
        case resume
    }

    /// Where the finished run lives (`--output`).
    public let destination: URL
    /// Where the run writes while it runs: `destination`, or for an overwrite a temporary sibling.
    public let directory: URL
    public let intent: Intent

    /// The file every run folder gets first: it marks the folder as this tool's.
    public static let markerName = ".contrast-run.json"

    /// The intent of the usual flags; both flags at once is a usage error.
    public static func intent(overwrite: Bool, resume: Bool) throws(RunFolderError) -> Intent {
        if overwrite && resume { throw RunFolderError(nil, "--overwrite and --resume exclude each other", isUsage: true) }
        return overwrite ? .overwrite : resume ? .resume : .create
    }

    /// Checks `destination` against the rules for `intent` without changing anything on disk;
    /// `currentDirectory` is the folder an overwrite must not hold (the process's).
    public static func check(_ destination: URL, intent: Intent,
                             currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws(RunFolderError) {
        let fm = FileManager.default
        let url = destination.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            if intent == .resume { throw RunFolderError(url, "no such run folder to resume") }
            return
        }
        guard isDirectory.boolValue else { throw RunFolderError(url, "exists and is not a folder") }
        let contents: [String]
        do { contents = try fm.contentsOfDirectory(atPath: url.path) } catch {
            throw RunFolderError(url, "cannot be read (\(FileSystemProblem.reason(error as NSError)))")
        }
        switch intent {
        case .create:
            if !contents.isEmpty {
                throw RunFolderError(url, "folder is not empty (use --overwrite to replace a run of this tool, or --resume to continue it)", isUsage: true)
            }
        case .overwrite:
            let here = currentDirectory.resolvingSymlinksInPath().path
            let target = url.resolvingSymlinksInPath().path
            if here == target || here.hasPrefix(target + "/") {
                throw RunFolderError(url, "holds the current folder: refusing to replace it; choose another --output", isUsage: true)
            }
            guard contents.isEmpty || isRun(url) else {
                throw RunFolderError(url, "not a run folder of this tool (no \(markerName)): refusing to replace it; choose another --output", isUsage: true)
            }
        case .resume:
            guard isRun(url) else { throw RunFolderError(url, "not a run folder of this tool (no \(markerName)): nothing to resume") }
        }
    }

    /// Checks `destination` (``check(_:intent:)``) and creates the folder the run writes into,
    /// marked as this tool's, recording `command` (e.g. "train simcse") in the marker.
    public static func open(_ destination: URL, intent: Intent, command: String) throws(RunFolderError) -> RunFolder {
        try check(destination, intent: intent)
        let folder = planned(destination, intent: intent)
        let fm = FileManager.default
        do {
            // A leftover of an overwrite that never completed is this tool's: replace it.
            if intent == .overwrite && fm.fileExists(atPath: folder.directory.path) { try fm.removeItem(at: folder.directory) }
            try fm.createDirectory(at: folder.directory, withIntermediateDirectories: true)
            let marker = folder.directory.appendingPathComponent(markerName)
            if intent != .resume || !fm.fileExists(atPath: marker.path) {
                let record = ["tool": "contrast", "command": command, "created": ISO8601DateFormatter().string(from: Date())]
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(record).write(to: marker)
            }
        } catch {
            throw RunFolderError(folder.directory, "cannot be written (\(FileSystemProblem.reason(error as NSError)))")
        }
        return folder
    }

    /// The folders ``open(_:intent:command:)`` uses, without checking or creating anything: for
    /// the other processes of a data-parallel run, which process 0's `open` prepares.
    public static func planned(_ destination: URL, intent: Intent) -> RunFolder {
        let url = destination.standardizedFileURL
        return RunFolder(destination: url, directory: intent == .overwrite ? sibling(of: url, "incoming") : url, intent: intent)
    }

    /// The folder of a finished run that did not write into ``destination`` itself: moves the
    /// new run into place and only then removes the old one.
    public func complete() throws(RunFolderError) {
        guard directory != destination else { return }
        let fm = FileManager.default
        let outgoing = Self.sibling(of: destination, "outgoing")
        do {
            if fm.fileExists(atPath: outgoing.path) { try fm.removeItem(at: outgoing) }
            let replacing = fm.fileExists(atPath: destination.path)
            if replacing { try fm.moveItem(at: destination, to: outgoing) }
            try fm.moveItem(at: directory, to: destination)
            if replacing { try fm.removeItem(at: outgoing) }
        } catch {
            throw RunFolderError(destination, "could not replace the old run with the new one in \(directory.path) (\(FileSystemProblem.reason(error as NSError)))")
        }
    }

    /// Refuses to resume the run in `run` with `settings` that would change what it computes,
    /// listing the differing ones (a usage error).
    public static func checkResumable(_ run: URL, with settings: TrainingSettings) throws {
        let conflicts = try settings.conflicts(withSaved: TrainingSettings.saved(in: run, over: settings))
        guard conflicts.isEmpty else {
            throw RunFolderError(run, "--resume with settings that change the run (\(conflicts.joined(separator: ", "))); "
                + "only \(settings.changeableOnResume.sorted().joined(separator: ", ")) may change", isUsage: true)
        }
    }

    /// Whether `url` is a folder this tool wrote: it has the marker, or the files of a run made
    /// before the marker existed.
    public static func isRun(_ url: URL) -> Bool {
        let fm = FileManager.default
        return [markerName, "training_config.json", "metrics.jsonl"].contains { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
    }

    /// A hidden sibling of `url` for the two halves of an overwrite.
    static func sibling(of url: URL, _ role: String) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).contrast-\(role)")
    }
}

/// A run folder the rules of ``RunFolder`` refuse, or one that cannot be written: one line
/// naming the folder.
public struct RunFolderError: Error, CustomStringConvertible, Equatable {
    /// The folder, when the problem is about one.
    public let folder: String?
    public let problem: String
    /// A usage problem (the flags ask for something the rules refuse), as opposed to a failure
    /// of the file system.
    public let isUsage: Bool

    init(_ folder: URL?, _ problem: String, isUsage: Bool = false) {
        self.folder = folder?.path
        self.problem = problem
        self.isUsage = isUsage
    }

    public var description: String { folder.map { "\($0): \(problem)" } ?? problem }
}
