import Evaluation
import Foundation
import Testing

/// The still-learning check behind `contrast train`'s warning and the report's line.
@Suite struct LearningCurveTests {
    /// A log of `steps` steps with loss `loss(step)`, and evaluations of `val_t2i_r1` at each tenth.
    static func log(steps: Int = 100, loss: (Int) -> Double, validation: ((Int) -> Double)? = nil) throws -> RunMetrics {
        var lines: [String] = []
        for step in 1...steps {
            lines.append("{\"images_per_s\":10,\"loss\":\(loss(step)),\"lr\":0.001,\"step\":\(step)}")
            if let validation, step % (steps / 10) == 0 { lines.append("{\"step\":\(step),\"val_t2i_r1\":\(validation(step))}") }
        }
        return try RunMetrics(parsing: lines.joined(separator: "\n") + "\n", path: "metrics.jsonl")
    }

    @Test func aValidationMetricStillRisingAtTheEndIsReported() throws {
        let rising = try Self.log(loss: { _ in 1 }, validation: { Double($0) / 200 })
        let warning = try #require(LearningCurve.stillLearning(rising))
        #expect(warning.contains("validation t2i R@1") && warning.contains("0.350") && warning.contains("0.500"))
        // Flat at the end (within the threshold), or best before the end: not reported, whatever the loss does.
        let plateau = try Self.log(loss: { 1 / Double($0) }, validation: { min(0.5, Double($0) / 100) })
        #expect(LearningCurve.stillLearning(plateau) == nil)
        let falling = try Self.log(loss: { 1 / Double($0) }, validation: { $0 == 100 ? 0.2 : 0.3 })
        #expect(LearningCurve.stillLearning(falling) == nil)
    }

    @Test func withoutValidationTheLossOfTheLastQuarterDecides() throws {
        let steep = try Self.log(loss: { 3 - Double($0) / 50 })
        #expect(LearningCurve.stillLearning(steep)?.contains("mean loss fell") == true)
        let converged = try Self.log(loss: { 0.3 + exp(-Double($0) / 5) })
        #expect(LearningCurve.stillLearning(converged) == nil)
    }

    @Test func theReportCarriesTheWarning() throws {
        var lines: [String] = []
        for step in 1...40 { lines.append("{\"images_per_s\":10,\"loss\":\(3 - Double(step) / 20),\"lr\":0.001,\"step\":\(step)}") }
        let run = try RunReportTests.run(metrics: lines.joined(separator: "\n") + "\n")
        let summary = try String(contentsOf: try RunReport(run: run).write().summary, encoding: .utf8)
        #expect(summary.contains("**Warning:** still learning"))
    }
}
