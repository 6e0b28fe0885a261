import Evaluation
import Testing

/// Expected values computed with scipy 1.17.1 (`scipy.stats.spearmanr`, `pearsonr`, `rankdata`).
@Suite struct CorrelationTests {
    @Test func averageRanksMatchRankdataWithTies() {
        #expect(Correlation.averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]) == [4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8])
        #expect(Correlation.averageRanks([]) == [])
        #expect(Correlation.averageRanks([7, 7, 7]) == [2, 2, 2])
    }

    @Test(arguments: [
        // Ties in both samples.
        Case(x: [1, 2, 2, 3, 5, 5, 5, 8], y: [2.5, 1, 4, 4, 3, 7, 7, 0.5],
             spearman: 0.09318388040070494, pearson: 0.028801659023340975),
        // STS-like: gold scores with ties against cosines.
        Case(x: [4.8, 0.0, 3.2, 2.5, 5.0, 1.2, 3.2, 0.4, 4.0, 2.5], y: [0.91, 0.12, 0.55, 0.61, 0.88, 0.30, 0.52, 0.35, 0.70, 0.47],
             spearman: 0.9207488243118473, pearson: 0.9546850938502001),
        // Monotone but not linear.
        Case(x: [1, 2, 3, 4, 5, 6], y: [1, 8, 27, 64, 125, 216], spearman: 1.0, pearson: 0.9379313244517968),
        // Decreasing, with a tie in each sample at the same points.
        Case(x: [1.5, 2.5, 2.5, 0.5, 3.0], y: [9, 4, 4, 10, 1], spearman: -1.0, pearson: -0.9586056671931504),
    ])
    func matchesScipy(_ c: Case) {
        #expect(abs(Correlation.spearman(c.x, c.y) - c.spearman) < 1e-12)
        #expect(abs(Correlation.pearson(c.x, c.y) - c.pearson) < 1e-12)
    }

    @Test func undefinedCorrelationsAreNaNAsInScipy() {
        #expect(Correlation.pearson([1, 2, 3], [4, 4, 4]).isNaN)
        #expect(Correlation.spearman([1, 1], [1, 2]).isNaN)
        #expect(Correlation.pearson([1], [2]).isNaN)
        #expect(Correlation.spearman([1, .nan, 3], [1, 2, 3]).isNaN)
    }

    @Test func pearsonKeepsPrecisionUnderLargeOffsets() {
        // Centring first: a naive Σxy - n·x̄·ȳ in Float64 loses every digit here.
        let x: [Double] = [1, 2, 3, 4, 5].map { $0 + 1e9 }, y: [Double] = [2, 4, 5, 4, 5]
        #expect(abs(Correlation.pearson(x, y) - Correlation.pearson([1, 2, 3, 4, 5], y)) < 1e-9)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let x: [Double], y: [Double], spearman: Double, pearson: Double
        var testDescription: String { "\(x.count) points" }
    }
}
