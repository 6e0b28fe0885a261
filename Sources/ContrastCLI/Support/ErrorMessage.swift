import Foundation
import Text

/// The one line a failure is reported with: Foundation's file errors become "PATH: what happened"
/// instead of an `NSError` dump with its domain, code and user-info dictionary.
enum ErrorMessage {
    static func line(for error: any Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return String(describing: error) }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return (path.map { "\($0): " } ?? "") + FileSystemProblem.reason(ns)
    }
}
