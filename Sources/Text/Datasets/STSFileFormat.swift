import Foundation

/// The file formats an STS evaluation set comes in.
public enum STSFileFormat: String, Sendable, CaseIterable {
    /// STS Benchmark's CSV/TSV (`STSBenchmark`).
    case stsb
    /// SICK's tab-separated text (`SICK`).
    case sick

    /// The format a file's name suggests: `sick` when it contains "sick", else `stsb`.
    public static func guessed(for url: URL) -> STSFileFormat {
        url.lastPathComponent.lowercased().contains("sick") ? .sick : .stsb
    }
}
