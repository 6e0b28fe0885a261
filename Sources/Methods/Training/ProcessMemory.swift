import Foundation

/// The process's memory, for the metrics log (flat resident memory over a long run shows that
/// nothing accumulates: graphs, caches, logs).
public enum ProcessMemory {
    /// Resident set size now, in MiB (Linux `/proc/self/statm`), or `nil` where unavailable.
    public static var residentMegabytes: Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// The largest resident set size so far, in MiB (`ru_maxrss` is in KiB on Linux).
    public static var peakResidentMegabytes: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
