import Foundation
import Tensors

/// What `contrast --version` prints: the release, the commit it was built from, oneDNN and the
/// instructions it uses here, and the compiler: what a bug report needs.
enum VersionInfo {
    /// The toolkit's release.
    static let release = "0.5.0"

    static var text: String {
        """
        contrast \(release) (commit \(commit ?? "unknown"))
        oneDNN \(OneDNN.version), instructions \(OneDNN.isa)
        built with Swift \(swiftVersion)
        """
    }

    /// The commit of the checkout this binary was built from, read from its `.git` (compiled in
    /// as this file's path); `nil` for a binary built elsewhere or a checkout moved away.
    static var commit: String? {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let git = root.appendingPathComponent(".git")
        guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        else { return nil }
        guard head.hasPrefix("ref: ") else { return String(head.prefix(12)) }
        let ref = String(head.dropFirst(5))
        if let hash = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
            return String(hash.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
        }
        // A packed ref: "<hash> <ref>" lines.
        let packed = (try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8)) ?? ""
        return packed.split(separator: "\n").first { $0.hasSuffix(" " + ref) }.map { String($0.prefix(12)) }
    }

    static var swiftVersion: String {
        #if swift(>=6.4)
        return "6.4 or later"
        #elseif swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #else
        return "6.1"
        #endif
    }
}
