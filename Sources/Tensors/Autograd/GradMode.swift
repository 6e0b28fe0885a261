/// Whether operations record the graph for differentiation, scoped per task (no global state).
public enum GradMode {
    /// `true` unless inside `withoutGradient`.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording operations for differentiation (evaluation, momentum encoders,
/// queues): results of operations inside do not require gradients.
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false) { try body() }
}
