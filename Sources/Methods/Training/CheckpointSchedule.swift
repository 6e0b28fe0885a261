import Foundation

/// What every trainer does around its steps for a run folder: where a resumed run starts, when a
/// checkpoint is due (every N steps, every M minutes), stopping cleanly on SIGINT or SIGTERM, and
/// marking the run finished.
final class CheckpointSchedule {
    let store: CheckpointStore
    let every: Int?
    let minutes: Double?
    private var last = ContinuousClock.now

    init(run: URL, every: Int?, minutes: Double?) {
        store = CheckpointStore(run: run)
        (self.every, self.minutes) = (every, minutes)
    }

    /// Where a run starts.
    enum Start {
        case fresh
        /// It had finished after `step` steps: nothing to train.
        case finished(step: Int)
        case checkpoint(Checkpoint)
    }

    /// A new run starts fresh; a resumed one from its newest checkpoint, unless it finished
    /// (at `totalSteps` or beyond). A resumed run without a checkpoint is an error naming the folder.
    func start(resume: Bool, totalSteps: Int) throws -> Start {
        guard resume else { return .fresh }
        if let finished = try store.finishedStep(), finished >= totalSteps { return .finished(step: finished) }
        guard let checkpoint = try store.latest() else {
            throw TrainingError.invalidSetup("\(store.directory.deletingLastPathComponent().path): no checkpoint to resume from (the run stopped before its first one)")
        }
        return .checkpoint(checkpoint)
    }

    /// After `step` of `total` steps: on `signal` (every process's agreed one), saves through
    /// `save` (process 0) and stops with ``TrainingError/interrupted(signal:step:checkpoint:)``;
    /// otherwise saves when a checkpoint is due. A step-interval checkpoint at the end lets the run
    /// be extended later (more steps); a time one is not taken at the end.
    func afterStep(_ step: Int, of total: Int, signal: Int32?, saves: Bool, save: () throws -> URL) throws {
        if let signal {
            throw TrainingError.interrupted(signal: signal, step: step, checkpoint: saves ? try saved(save).path : nil)
        }
        guard saves else { return }
        let byStep = every.map { step % $0 == 0 } ?? false
        let byTime = minutes.map { (ContinuousClock.now - last).seconds >= $0 * 60 } ?? false
        if byStep || byTime && step < total { _ = try saved(save) }
    }

    /// Records that the run finished after `step` steps.
    func finish(step: Int) throws { try store.markFinished(step: step) }

    private func saved(_ save: () throws -> URL) throws -> URL {
        let folder = try save()
        last = .now
        return folder
    }
}
