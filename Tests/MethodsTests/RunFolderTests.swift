import Foundation
@testable import Methods
import TestSupport
import Testing

/// `RunFolder`'s rules on disk: what each intent accepts, refuses, and leaves behind.
@Suite struct RunFolderTests {
    func scratch() throws -> URL {
        let url = TestPaths.temporaryPath("runfolder")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func names(_ folder: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() }

    @Test func newRunsGoIntoMissingOrEmptyFoldersOnly() throws {
        let root = try scratch()
        let fresh = try RunFolder.open(root.appendingPathComponent("a/b"), intent: .create, command: "test")
        #expect(fresh.directory == fresh.destination)
        #expect(try names(fresh.directory) == [RunFolder.markerName])
        let user = root.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try "x".write(to: user.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: RunFolderError.self) { try RunFolder.check(user, intent: .create) }
        let file = root.appendingPathComponent("file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        #expect((try? RunFolder.check(file, intent: .create)) == nil)
        #expect(throws: RunFolderError.self) { try RunFolder.intent(overwrite: true, resume: true) }
    }

    @Test func overwriteReplacesOnlyRunsOfThisToolAndOnlyWhenComplete() throws {
        let root = try scratch()
        let user = root.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try "x".write(to: user.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: RunFolderError.self) { try RunFolder.open(user, intent: .overwrite, command: "test") }
        #expect(try names(user) == ["notes.txt"])

        let old = try RunFolder.open(root.appendingPathComponent("run"), intent: .create, command: "old")
        try "old".write(to: old.directory.appendingPathComponent("model"), atomically: true, encoding: .utf8)
        let new = try RunFolder.open(old.destination, intent: .overwrite, command: "new")
        #expect(new.directory != new.destination)
        try "new".write(to: new.directory.appendingPathComponent("model"), atomically: true, encoding: .utf8)
        // Until it completes, the old run is untouched.
        #expect(try String(contentsOf: old.destination.appendingPathComponent("model"), encoding: .utf8) == "old")
        try new.complete()
        #expect(try String(contentsOf: new.destination.appendingPathComponent("model"), encoding: .utf8) == "new")
        #expect(try names(root) == ["mine", "run"])
    }

    @Test func theCurrentFolderIsNeverReplaced() throws {
        let run = try RunFolder.open(try scratch().appendingPathComponent("run"), intent: .create, command: "test")
        let inside = run.directory.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
        #expect(throws: RunFolderError.self) { try RunFolder.check(run.destination, intent: .overwrite, currentDirectory: inside) }
        #expect(throws: RunFolderError.self) { try RunFolder.check(run.destination, intent: .overwrite, currentDirectory: run.destination) }
        try RunFolder.check(run.destination, intent: .overwrite, currentDirectory: run.destination.deletingLastPathComponent())
    }

    @Test func resumeNeedsARunOfThisTool() throws {
        let root = try scratch()
        #expect(throws: RunFolderError.self) { try RunFolder.check(root.appendingPathComponent("none"), intent: .resume) }
        #expect(throws: RunFolderError.self) { try RunFolder.check(root, intent: .resume) }
        let run = try RunFolder.open(root.appendingPathComponent("run"), intent: .create, command: "test")
        let resumed = try RunFolder.open(run.destination, intent: .resume, command: "test")
        #expect(resumed.directory == run.destination)
    }
}
