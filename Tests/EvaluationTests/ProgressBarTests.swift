@testable import Evaluation
import Testing

@Suite struct ProgressBarTests {
    /// A bar on a fake clock that collects what it writes.
    final class Harness {
        var time = 0.0
        var output: [String] = []
        func bar(total: Int, terminal: Bool, quiet: Bool = false) -> ProgressBar {
            ProgressBar(total: total, label: "embed", unit: "sent", quiet: quiet, lineInterval: 5, isTerminal: terminal,
                        now: { self.time }, write: { self.output.append($0) })
        }
    }

    @Test func lineShowsCountsPercentageRateAndETA() {
        let h = Harness()
        let bar = h.bar(total: 1000, terminal: false)
        h.time = 10
        bar.update(done: 250)
        #expect(h.output == ["embed 250/1000   25.0%  25.0 sent/s  ETA 0:30\n"])
        #expect(bar.line(at: 10) == "embed 250/1000   25.0%  25.0 sent/s  ETA 0:30")
    }

    @Test func terminalRedrawsInPlaceAndEndsTheLine() {
        let h = Harness()
        let bar = h.bar(total: 4, terminal: true)
        h.time = 1
        bar.update(done: 1)
        h.time = 1.01
        bar.update(done: 2)  // too soon after the last redraw
        h.time = 2
        bar.update(done: 4)
        bar.finish()
        #expect(h.output == [
            "\rembed 1/4   25.0%  [######..................]  1.0 sent/s  ETA 0:03\u{1B}[K",
            "\rembed 4/4  100.0%  [########################]  2.0 sent/s  in 0:02\u{1B}[K",
            "\n",
        ])
    }

    @Test func pipesGetALineEveryIntervalAndAtTheEnd() {
        let h = Harness()
        let bar = h.bar(total: 100, terminal: false)
        for step in 1...100 {
            h.time = Double(step) / 5  // 20 s in all: lines at 5, 10, 15 and the last at 20
            bar.advance()
        }
        bar.finish()
        #expect(h.output.count == 4)
        #expect(h.output.last == "embed 100/100  100.0%  5.0 sent/s  in 0:20\n")
    }

    @Test func finishShowsAnUnfinishedStateOnce() {
        let h = Harness()
        let bar = h.bar(total: 10, terminal: false)
        bar.update(done: 3)
        h.time = 90
        bar.finish()
        bar.finish()
        #expect(h.output == ["embed 3/10   30.0%  0.0 sent/s  ETA 3:30\n"])
    }

    @Test func quietWritesNothing() {
        let h = Harness()
        let bar = h.bar(total: 2, terminal: true, quiet: true)
        h.time = 1
        bar.advance(by: 2)
        bar.finish()
        #expect(h.output.isEmpty)
        #expect(bar.done == 2)
    }

    @Test func clockFormatsMinutesAndHours() {
        #expect(ProgressBar.clock(0) == "0:00")
        #expect(ProgressBar.clock(61.4) == "1:01")
        #expect(ProgressBar.clock(3725) == "1:02:05")
    }
}
