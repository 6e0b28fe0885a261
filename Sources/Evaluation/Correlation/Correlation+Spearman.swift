import Tensors

extension Correlation {
    /// Spearman's rank correlation of `x` and `y` (`scipy.stats.spearmanr(x, y).statistic`): the
    /// Pearson correlation of their ranks, tied values sharing the average of their ranks.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        ensure(x.count == y.count, "Correlation.spearman: samples of \(x.count) and \(y.count) values differ in length")
        // NaN has no place in an order; scipy's default policy propagates it.
        guard !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else { return .nan }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// The 1-based ranks of `values`, ties given the mean of the ranks they span
    /// (`scipy.stats.rankdata(values, method="average")`). `values` must not contain `nan`.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        ensure(!values.contains(where: \.isNaN), "Correlation.averageRanks: values of \(values.count) elements contain nan")
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            // Sorted positions start...end hold equal values: ranks start+1...end+1, whose mean is this.
            let rank = Double(start + end + 2) / 2
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }
}
