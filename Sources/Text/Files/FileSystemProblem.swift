import Foundation

/// Foundation's file-system errors in a few words for one-line messages ("permission denied",
/// "no space left on device"), instead of their domain, code and user-info dump.
public enum FileSystemProblem {
    /// What went wrong, from the underlying system error when there is one (its `strerror` text
    /// names the cause: no such file, permission denied, no space left, read-only file system).
    public static func reason(_ error: NSError) -> String {
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))).lowercased() }
        switch CocoaError.Code(rawValue: error.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteFileExists: return "already exists"
        default: return "file-system error \(error.code)"
        }
    }
}
