import Foundation
import Tensors

/// Output conventions shared by every command: results on stdout (human-readable lines, or with
/// `--json` one JSON object as the last line), progress and diagnostics on stderr.
enum Report {
    /// Writes a line of results: to standard output, or with `--json` (whose object is then the
    /// results) to standard error, so that stdout holds the JSON object alone.
    static func result(json: Bool, _ line: String) {
        if json { info(line) } else { print(line) }
    }

    /// Writes a line to standard error.
    static func info(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Says on standard error when products ran on oneDNN's reference implementations.
    static func warnAboutReferenceKernels(_ report: KernelReport) {
        let slow = report.referenceImplementations
        if !slow.isEmpty { info("warning: oneDNN ran \(slow.joined(separator: ", ")) (its slow reference code) at \(report.isa) for some products") }
    }

    /// Prints `value` as one line of JSON on standard output.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Number formatting for human-readable output.
enum Format {
    /// `value` with `digits` digits after the decimal point.
    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
