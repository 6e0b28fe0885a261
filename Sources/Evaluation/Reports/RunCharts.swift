import Foundation

/// The report's charts of one run, each `nil` when the run has nothing to show in it.
struct RunCharts {
    let metrics: RunMetrics
    /// Prefix of the evaluation metrics (`sts` gives `sts_spearman`).
    let evaluator: String
    /// Prefix of the retrieval metrics (`ir` gives `ir_ndcg_at_10`), when the log has some.
    let retrieval: String?

    /// Training loss on the left axis and learning rate on the right, over steps.
    var loss: Chart? {
        guard !metrics.steps.isEmpty else { return nil }
        return Chart(
            title: "Training loss and learning rate", xLabel: "step", yLabel: "loss", secondaryYLabel: "learning rate",
            series: [ChartSeries(name: "loss", points: metrics.steps.map { (Double($0.step), $0.loss) }),
                     ChartSeries(name: "learning rate", points: metrics.steps.map { (Double($0.step), $0.learningRate) }, axis: .secondary)])
    }

    /// STS Spearman at each evaluation.
    var sts: Chart? {
        let spearman = metrics.values(of: "\(evaluator)_spearman")
        guard !spearman.isEmpty else { return nil }
        return Chart(title: "STS Spearman (\(evaluator))", xLabel: "step", yLabel: "Spearman x100",
                     series: [ChartSeries(name: "Spearman", points: spearman.map { (Double($0.step), $0.value) }, mark: .lineAndPoints)])
    }

    /// nDCG@10 and MRR@10 at each retrieval evaluation.
    var retrievalChart: Chart? {
        guard let retrieval else { return nil }
        let series = [("nDCG@10", "ndcg_at_10"), ("MRR@10", "mrr_at_10")].compactMap { name, metric in
            let values = metrics.values(of: "\(retrieval)_\(metric)")
            return values.isEmpty ? nil : ChartSeries(name: name, points: values.map { (Double($0.step), $0.value) }, mark: .lineAndPoints)
        }
        return Chart(title: "Retrieval (\(retrieval))", xLabel: "step", yLabel: "metric", series: series)
    }

    /// SimCSE's alignment-uniformity plot (their Figure 2): one point per evaluation, joined in
    /// step order and labelled with its step, so the run's path through the plane shows.
    var alignmentUniformity: Chart? {
        let alignment = Dictionary(metrics.values(of: "\(evaluator)_alignment").map { ($0.step, $0.value) }) { _, last in last }
        let trajectory = metrics.values(of: "\(evaluator)_uniformity").compactMap { u in alignment[u.step].map { (step: u.step, x: u.value, y: $0) } }
        guard !trajectory.isEmpty else { return nil }
        return Chart(title: "Alignment and uniformity (\(evaluator))", subtitle: "one point per evaluation, labelled with its step; lower left is better",
                     xLabel: "uniformity", yLabel: "alignment",
                     series: [ChartSeries(name: "trajectory", points: trajectory.map { ($0.x, $0.y) },
                                          pointLabels: trajectory.map { "\($0.step)" }, mark: .lineAndPoints)])
    }

    /// Predicted cosine against gold score for each STS pair.
    static func scatter(_ predictions: STSPredictions) -> Chart {
        let spearman = Correlation.spearman(predictions.gold, predictions.predicted) * 100
        return Chart(title: "STS predictions", subtitle: "\(predictions.gold.count) pairs, Spearman \(String(format: "%.2f", spearman))",
                     xLabel: "gold score", yLabel: "predicted cosine similarity",
                     series: [ChartSeries(name: "pairs", points: Array(zip(predictions.gold, predictions.predicted)), mark: .points)])
    }
}
