import Tensors
import Foundation

/// Correlation coefficients between two samples, in Float64, matching `scipy.stats`.
///
/// Both return `nan` where the coefficient is undefined (fewer than two points, a constant
/// sample, or a `nan` value), as scipy does, so an evaluation over a degenerate set reports it
/// instead of stopping.
///
/// ```swift
/// let r = Correlation.pearson(gold, predicted)
/// let rho = Correlation.spearman(gold, predicted)   // ties get average ranks
/// ```
public enum Correlation {
    /// Pearson's product-moment correlation of `x` and `y` (`scipy.stats.pearsonr(x, y).statistic`).
    ///
    /// Centred first (two passes), so large offsets such as scores near 1e6 lose no precision;
    /// clipped to [-1, 1] against rounding, as scipy does.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        ensure(x.count == y.count, "Correlation.pearson: samples of \(x.count) and \(y.count) values differ in length")
        guard x.count >= 2 else { return .nan }
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - meanX, dy = b - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return Swift.min(1, Swift.max(-1, sxy / (sxx.squareRoot() * syy.squareRoot())))
    }
}
