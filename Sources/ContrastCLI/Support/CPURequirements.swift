import CCPUFeatures

/// The instructions `contrast` is built for (Haswell's set; every x86-64 server CPU since 2013 and
/// AMD since Zen) and the one-line refusal on a CPU that lacks some, in place of a crash on an
/// illegal instruction somewhere in the engine.
enum CPURequirements {
    /// The required features by name, as CPU documentation spells them: name `i` is bit `1 << i`
    /// of `ccpu_features()` (the order of `ccpufeatures.h`).
    static let required = ["AVX", "AVX2", "FMA", "F16C", "BMI1", "BMI2", "LZCNT", "MOVBE", "POPCNT"]

    /// The names of the required features missing from `features` (a `ccpu_features()` mask).
    static func missing(from features: UInt32) -> [String] {
        required.indices.filter { features & (1 << $0) == 0 }.map { required[$0] }
    }

    /// The message for a CPU with `features`, or `nil` when it has everything.
    static func problem(features: UInt32 = ccpu_features()) -> String? {
        let missing = missing(from: features)
        guard !missing.isEmpty else { return nil }
        return "this CPU lacks \(missing.joined(separator: ", ")): contrast needs an x86-64 CPU with AVX2 and FMA "
            + "(Intel Haswell or AMD Zen and newer)"
    }
}
