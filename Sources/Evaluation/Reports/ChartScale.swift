import Foundation

/// A linear map from data values to pixels over a "nice" domain: the data's range widened to
/// whole multiples of a tick step of 1, 2 or 5 times a power of ten, so ticks land on round
/// numbers and the outermost ones frame the data.
struct ChartScale {
    /// The first and last tick.
    let lower: Double
    let upper: Double
    /// The distance between ticks.
    let step: Double
    /// The pixel positions of `lower` and `upper` (`start > end` for a y axis, which grows upwards).
    let start: Double
    let end: Double

    /// A scale covering `values` (finite ones only) with about `ticks` ticks.
    init(covering values: [Double], pixels start: Double, _ end: Double, ticks: Int = 6) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if low == high {
            // A constant series still needs a span; centre it.
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        let rough = (high - low) / Double(max(ticks - 1, 1))
        let power = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough * (1 - 1e-9) } ?? 10 * power
        self.step = step
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
        self.start = start
        self.end = end
    }

    /// The pixel position of `value`.
    func pixel(_ value: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// The tick values from `lower` to `upper`, computed from whole step counts so they do not drift.
    var ticks: [Double] {
        let first = Int((lower / step).rounded()), last = Int((upper / step).rounded())
        return (first...last).map { Double($0) * step }
    }

    /// A tick label with as many decimals as the step needs; exponent form for tiny or huge values
    /// (learning rates such as 3e-05).
    func label(_ value: Double) -> String {
        let magnitude = max(abs(lower), abs(upper))
        if step < 1e-3 || magnitude >= 1e6 { return value == 0 ? "0" : String(format: "%.3g", value) }
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        let text = String(format: "%.\(decimals)f", value)
        // "-0.0" from rounding a tiny negative reads like a bug.
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }
}
