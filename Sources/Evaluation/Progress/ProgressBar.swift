import Foundation
import Tensors

/// A progress display on standard error for long operations: items done of total, percentage,
/// throughput and time left.
///
/// On a terminal (`isatty(2)`) it redraws one line in place with `\r`, at most ten times a
/// second; when stderr is a file or a pipe (CI logs) it prints a full line every
/// `lineInterval` seconds and at the end instead, so logs stay readable. `quiet` silences it.
/// Nothing goes to standard output, which `--json` reserves for results.
///
/// It lives in `Evaluation` rather than in the CLI so that its formatting is unit-tested
/// (executable targets are not importable by tests) and any tool built on the libraries can
/// show the same display; the library code itself never draws, it only calls a
/// ``ProgressHandler`` that a caller may connect to a bar.
///
/// Not thread-safe: update it from one thread.
///
/// ```swift
/// let bar = ProgressBar(total: evaluator.distinct.sentences.count, label: "sts-dev", unit: "sent")
/// let result = try evaluator.run(encode) { done, _ in bar.update(done: done) }
/// bar.finish()
/// ```
public final class ProgressBar {
    /// Items in the whole operation.
    public let total: Int
    /// Text before the counts (the operation's name).
    public let label: String
    /// Name of an item in the throughput, e.g. `"sent"` gives `512.3 sent/s`.
    public let unit: String
    /// Items done so far.
    public private(set) var done = 0

    private let quiet: Bool
    private let isTerminal: Bool
    private let lineInterval: Double
    private let now: () -> Double
    private let write: (String) -> Void
    private let start: Double
    private var lastDraw: Double
    /// The `done` value on screen, so finish() does not repeat a line.
    private var drawnDone: Int?
    private var finished = false

    /// Terminal redraws closer together than this are skipped: faster is flicker, not information.
    private static let redrawInterval = 0.1
    /// Characters of the bar itself on a terminal.
    private static let barWidth = 24

    /// A bar over `total` items writing to standard error.
    public convenience init(total: Int, label: String = "", unit: String = "it", quiet: Bool = false, lineInterval: Double = 5) {
        let clock = ContinuousClock(), origin = clock.now
        self.init(
            total: total, label: label, unit: unit, quiet: quiet, lineInterval: lineInterval,
            isTerminal: isatty(2) != 0,
            now: { (clock.now - origin).seconds },
            write: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// A bar with its clock (seconds, monotonic) and output given, for tests.
    init(total: Int, label: String, unit: String, quiet: Bool, lineInterval: Double, isTerminal: Bool,
         now: @escaping () -> Double, write: @escaping (String) -> Void) {
        ensure(total >= 0 && lineInterval > 0, "ProgressBar: total \(total) must not be negative and line interval \(lineInterval) must be positive")
        self.total = total
        self.label = label
        self.unit = unit
        self.quiet = quiet
        self.isTerminal = isTerminal
        self.lineInterval = lineInterval
        self.now = now
        self.write = write
        start = now()
        lastDraw = start
    }

    /// Text after the counts (e.g. the current loss), shown from the next redraw on.
    public private(set) var detail = ""

    /// Records that `done` items (of ``total``) are finished and redraws when it is time to.
    /// `detail`, when given, replaces the text shown after the counts.
    public func update(done: Int, detail: String? = nil) {
        ensure(done >= 0 && done <= total, "ProgressBar.update: done \(done) outside 0...\(total)")
        self.done = done
        if let detail { self.detail = detail }
        guard !quiet && !finished else { return }
        let time = now()
        let interval = isTerminal ? Self.redrawInterval : lineInterval
        // The last item always draws, so the final state is on screen before finish().
        if done == total || time - lastDraw >= interval { draw(at: time) }
    }

    /// Records `count` more finished items.
    public func advance(by count: Int = 1) { update(done: done + count) }

    /// Draws the final state (once) and, on a terminal, ends the line the bar was redrawing.
    public func finish() {
        guard !quiet && !finished else { return }
        if drawnDone != done { draw(at: now()) }
        if isTerminal { write("\n") }
        finished = true
    }

    private func draw(at time: Double) {
        lastDraw = time
        drawnDone = done
        // `ESC [K` clears what a longer previous line left on the right.
        write(isTerminal ? "\r" + line(at: time) + "\u{1B}[K" : line(at: time) + "\n")
    }

    /// The display at `time`: `label 1234/5000  24.7% [######..........]  512.3 it/s  ETA 0:07`
    /// (the bar on terminals only; `in 0:12`, the time taken, once everything is done).
    func line(at time: Double) -> String {
        let elapsed = Swift.max(time - start, 0)
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        var parts = [label.isEmpty ? "\(done)/\(total)" : "\(label) \(done)/\(total)",
                     String(format: "%5.1f%%", fraction * 100)]
        if isTerminal {
            let filled = Int((fraction * Double(Self.barWidth)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: Self.barWidth - filled) + "]")
        }
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        parts.append(rate > 0 ? String(format: "%.1f", rate) + " \(unit)/s" : "- \(unit)/s")
        if done == total {
            parts.append("in " + Self.clock(elapsed))
        } else {
            parts.append("ETA " + (rate > 0 ? Self.clock(Double(total - done) / rate) : "-"))
        }
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: "  ")
    }

    /// `seconds` as `m:ss`, or `h:mm:ss` from an hour.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
