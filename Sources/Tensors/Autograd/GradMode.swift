/// Whether operations record the graph for differentiation, scoped per task (no global state).
public enum GradMode {
    /// `true` unless inside `withoutGradient`.
    @TaskLocal public static var isEnabled = true

    /// Whether an operation on `inputs` is recorded for differentiation: gradients are on and
    /// one of them requires one. Fused inference kernels run where it is not.
    public static func records(_ inputs: [Tensor]) -> Bool {
        isEnabled && inputs.contains { $0.requiresGrad }
    }
}

/// Runs `body` without recording operations for differentiation (evaluation, momentum encoders,
/// queues): results of operations inside do not require gradients.
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false) { try body() }
}
