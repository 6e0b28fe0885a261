import Foundation

/// Whether a finished run was still learning when it stopped, from its `metrics.jsonl`: the one
/// check behind the warning `contrast train` prints and the line of `contrast report`.
///
/// A run is still learning when its validation metric (``validationMetric``, the image-text
/// runs' held-out text-to-image R@1) was best at the last evaluation and rose by more than
/// ``minimumRise`` of its value since the evaluation three quarters of the way through; or,
/// without such evaluations, when the mean loss of the last tenth of the steps is more than
/// ``minimumRise`` below that of the tenth ending three quarters of the way through. Under a
/// cosine schedule the learning rate of the last quarter is small, so either still falling by
/// that much means the run stopped early, not that it converged.
public enum LearningCurve {
    /// The validation metric of image-text runs.
    public static let validationMetric = "val_t2i_r1"
    /// The relative rise (of the metric) or fall (of the loss) over the last quarter that counts as still learning.
    public static let minimumRise = 0.05

    /// One sentence saying how the run was still learning, or `nil` when it was not (or the log
    /// is too short to tell).
    public static func stillLearning(_ metrics: RunMetrics) -> String? {
        let values = metrics.values(of: validationMetric)
        if values.count >= 3 {
            let last = values[values.count - 1]
            let quarter = values.last { $0.step <= (last.step * 3) / 4 } ?? values[0]
            guard values.dropLast().allSatisfy({ $0.value < last.value }), last.value > quarter.value * (1 + minimumRise) else { return nil }
            return "still learning: validation t2i R@1 rose from \(fixed(quarter.value)) (step \(quarter.step)) to \(fixed(last.value)) "
                + "(step \(last.step)) over the last quarter; a longer run (--max-steps) should do better"
        }
        let losses = metrics.steps.map(\.loss)
        let window = losses.count / 10
        guard window >= 2 else { return nil }
        let end = losses.suffix(window).reduce(0, +) / Double(window)
        let before = losses[(losses.count * 3 / 4 - window)..<(losses.count * 3 / 4)].reduce(0, +) / Double(window)
        guard before > end * (1 + minimumRise) else { return nil }
        return "still learning: the mean loss fell from \(fixed(before)) to \(fixed(end)) over the last quarter; a longer run (--max-steps) should do better"
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }
}
