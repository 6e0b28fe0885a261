import Foundation

/// Where the tests find the repository, its fixtures and data, and the pretrained model (shared by
/// the test targets).
public enum TestPaths {
    /// The repository root, found from this file's path (Tests/TestSupport/TestPaths.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$CONTRASTIVE_MODEL_DIR`, else `models/all-MiniLM-L6-v2` in the repository.
    public static let modelDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["CONTRASTIVE_MODEL_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2")
    }()

    /// The pretrained model is not where the tests look for it.
    public struct MissingModel: Error, CustomStringConvertible {
        public let file: URL
        public var description: String {
            "\(file.path) is missing: run scripts/fetch-model.sh (or set CONTRASTIVE_MODEL_DIR to the model folder)"
        }
    }

    /// A file of the pretrained model; throws ``MissingModel`` (which explains how to fetch the
    /// model) when it is absent, so every test that needs it fails with that message.
    public static func modelFile(_ name: String) throws -> URL {
        let file = modelDirectory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else { throw MissingModel(file: file) }
        return file
    }

    /// A file the tests read is not in the repository.
    public struct MissingFixture: Error, CustomStringConvertible {
        public let file: URL
        public var description: String {
            "\(file.path) is missing: it should be in the repository (Tests/Fixtures/README.md lists the files the tests read)"
        }
    }

    /// A file of `Tests/Fixtures` (`path` relative to it); throws ``MissingFixture`` when it is
    /// absent, so only the tests that read it fail, with that message.
    public static func fixture(_ path: String) throws -> URL {
        try existing(repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(path))
    }

    /// A file of the repository's `data` folder (`path` relative to it); throws ``MissingFixture``
    /// when it is absent.
    public static func dataFile(_ path: String) throws -> URL {
        try existing(repositoryRoot.appendingPathComponent("data").appendingPathComponent(path))
    }

    private static func existing(_ file: URL) throws -> URL {
        guard FileManager.default.fileExists(atPath: file.path) else { throw MissingFixture(file: file) }
        return file
    }

    /// A fresh temporary folder for files a test writes, under this test process's root, which is
    /// removed when the process exits: runs leave nothing behind in the temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let dir = testRoot.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A path named `name` in a fresh folder under the test process's root (the folder made, the
    /// path itself not).
    public static func temporaryPath(_ name: String) -> URL {
        let folder = testRoot.appendingPathComponent(UUID().uuidString)
        // A folder that cannot be made fails the test where it writes, naming the path.
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name)
    }

    /// Writes `bytes` to `name` in a fresh temporary folder and returns the file.
    public static func write(_ bytes: [UInt8], named name: String) throws -> URL {
        let file = try temporaryDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    /// Writes `text` (UTF-8) to `name` in a fresh temporary folder and returns the file.
    public static func write(_ text: String, named name: String) throws -> URL {
        try write(Array(text.utf8), named: name)
    }
}

/// The folder every test's temporary files go under, one per test process, removed at exit.
private let testRoot: URL = {
    atexit { try? FileManager.default.removeItem(at: testRoot) }
    return FileManager.default.temporaryDirectory.appendingPathComponent("contrast-tests-\(getpid())")
}()
