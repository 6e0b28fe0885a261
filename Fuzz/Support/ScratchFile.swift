import Foundation
import Glibc

/// Hands libFuzzer's input to readers that only take a path: each run overwrites one file in a
/// folder private to this process (parallel fuzzing jobs must not share it).
public enum ScratchFile {
    /// The process's folder, created on first use.
    public static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("contrastive-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the scratch folder \(folder.path): \(error)")
        }
        return folder
    }()

    /// Writes the `size` bytes at `data` (libFuzzer may pass no pointer for an empty input) to
    /// `name` in ``folder`` and returns the file's URL.
    ///
    /// Plain `write(2)`: `Data.write(to:)` syncs the file to disk, which made every run wait on
    /// the disk (ten times slower).
    public static func write(_ data: UnsafePointer<UInt8>?, _ size: Int, as name: String) -> URL {
        let file = folder.appendingPathComponent(name)
        let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot create \(file.path): errno \(errno)") }
        defer { close(fd) }
        var written = 0
        while written < size, let data {
            let count = Glibc.write(fd, data + written, size - written)
            guard count > 0 else { fatalError("cannot write \(file.path): errno \(errno)") }
            written += count
        }
        return file
    }

    /// Writes `bytes` to `name` in ``folder`` and returns the file's URL.
    public static func write(_ bytes: Data, as name: String) -> URL {
        bytes.withUnsafeBytes { write($0.bindMemory(to: UInt8.self).baseAddress, $0.count, as: name) }
    }

    /// The input as text, invalid UTF-8 repaired, for APIs that take a `String`.
    public static func text(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    }
}
