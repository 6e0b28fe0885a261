import Foundation

/// Checks on a file a command will write, made before its (long) work.
enum OutputFile {
    /// Throws a data error naming `file` when the folder it goes into is missing or is a file.
    static func checkFolder(of file: URL) throws {
        let folder = file.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) && isFolder.boolValue else {
            let reason = FileManager.default.fileExists(atPath: folder.path) ? "\(folder.path) is a file, not a folder" : "no such folder \(folder.path)"
            throw CLIError.data("\(file.path): cannot be written (\(reason))")
        }
    }
}
