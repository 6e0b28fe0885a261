import Foundation
import Methods
import Models
import Text
import Vision

/// The one line a failure is reported with: Foundation's file errors become "PATH: what happened"
/// instead of an `NSError` dump with its domain, code and user-info dictionary.
enum ErrorMessage {
    static func line(for error: any Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return String(describing: error) }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return (path.map { "\($0): " } ?? "") + FileSystemProblem.reason(ns)
    }

    /// The file (or folder) and line a failure is about, where the error knows them.
    static func location(of error: any Error) -> (file: String?, line: Int?) {
        switch error {
        case let e as TextFileError: return (e.file, e.line)
        case let e as ModelFileError: return (e.file, nil)
        case let e as ImageFileError: return (e.file, nil)
        case let e as RunFolderError: return (e.folder, nil)
        default:
            let ns = error as NSError
            return ((ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path, nil)
        }
    }

    /// The JSON object a failure under `--json` ends standard output with.
    struct Failure: Encodable {
        let error: String
        let file: String?
        let line: Int?
        let exit_code: Int32
    }
}
