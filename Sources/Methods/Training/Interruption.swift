import Foundation
import Synchronization

/// SIGINT and SIGTERM as a request to stop training cleanly: while a trainer runs, the first
/// signal is recorded and the trainer writes a checkpoint after the current step and stops with
/// ``TrainingError/interrupted(signal:step:checkpoint:)``; a second signal ends the process at
/// once with the conventional status (128 + the signal).
public enum Interruption {
    /// The signal received since ``watch(_:)`` began, or 0.
    private static let received = Atomic<Int32>(0)

    /// The pending signal's number, if any.
    public static var signal: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// Runs `body` with SIGINT and SIGTERM recorded instead of ending the process, restoring
    /// their previous handling after it.
    public static func watch<R>(_ body: () throws -> R) rethrows -> R {
        received.store(0, ordering: .relaxed)
        let handler: @convention(c) (Int32) -> Void = { signal in
            let (exchanged, _) = Interruption.received.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
            if !exchanged { _exit(128 + signal) }
        }
        let previousInt = Foundation.signal(SIGINT, handler), previousTerm = Foundation.signal(SIGTERM, handler)
        // A parent may have started this process with the signals blocked (Foundation's Process
        // passes its thread's mask on); they are the user's way to stop the run.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        defer {
            _ = Foundation.signal(SIGINT, previousInt)
            _ = Foundation.signal(SIGTERM, previousTerm)
        }
        return try body()
    }

    /// The signal's conventional name.
    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
