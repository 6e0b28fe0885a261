/// Why a training run stopped; each description is one line.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss or a gradient was not finite (and the run was set to stop on that).
    case nonFinite(step: Int, tensor: String)
    case corruptCheckpoint(String)
    case io(String)
    /// The data cannot make one batch, or the settings are invalid.
    case invalidSetup(String)
    /// SIGINT or SIGTERM stopped the run after `step`, with a checkpoint in `checkpoint` (process 0).
    case interrupted(signal: Int32, step: Int, checkpoint: String?)

    public var description: String {
        switch self {
        case .nonFinite(let step, let tensor): "step \(step): non-finite values in \(tensor) (use --skip-nonfinite to skip such steps)"
        case .corruptCheckpoint(let m), .io(let m), .invalidSetup(let m): m
        case .interrupted(let signal, let step, let checkpoint):
            "stopped by \(Interruption.name(signal)) after step \(step)" + (checkpoint.map { "; checkpoint \($0): continue with --resume" } ?? "")
        }
    }
}
