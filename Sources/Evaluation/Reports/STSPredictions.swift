import Foundation

/// `sts_predictions.json` in a run folder: the STS evaluation's per-pair scores, for the report's
/// scatter plot of predicted cosine against gold score.
///
/// The file is one JSON object with two arrays of numbers of the same length, in dataset order:
///
/// ```json
/// {"gold": [4.8, 0.5, 3.2], "predicted": [0.91, 0.12, 0.66]}
/// ```
///
/// `gold` holds the human scores (STS-B 0-5, SICK 1-5) and `predicted` the cosine similarity of
/// the pair's embeddings (``STSResult/goldScores`` and ``STSResult/predictedScores``).
public struct STSPredictions: Codable, Sendable, Equatable {
    /// The file's name inside a run folder.
    public static let fileName = "sts_predictions.json"

    /// Gold score of each pair.
    public var gold: [Double]
    /// Cosine similarity of each pair's embeddings.
    public var predicted: [Double]

    /// Scores given directly; both arrays must have the same length.
    public init(gold: [Double], predicted: [Double]) {
        self.gold = gold
        self.predicted = predicted
    }

    /// The scores of an STS evaluation.
    public init(_ result: STSResult) {
        self.init(gold: result.goldScores, predicted: result.predictedScores)
    }

    /// Reads and checks `file`.
    ///
    /// - Throws: ``RunReportError`` when it cannot be read, is not the object above, or its
    ///   arrays differ in length or are empty.
    public static func read(_ file: URL) throws -> STSPredictions {
        guard let data = try? Data(contentsOf: file) else { throw RunReportError.unreadable(path: file.path) }
        guard let predictions = try? JSONDecoder().decode(STSPredictions.self, from: data) else {
            throw RunReportError.malformedFile(path: file.path, reason: "expected {\"gold\": [numbers], \"predicted\": [numbers]}")
        }
        guard !predictions.gold.isEmpty, predictions.gold.count == predictions.predicted.count else {
            throw RunReportError.malformedFile(
                path: file.path, reason: "\(predictions.gold.count) gold and \(predictions.predicted.count) predicted scores (need equal, non-zero counts)")
        }
        return predictions
    }

    /// Writes the scores as JSON to `file`.
    public func write(to file: URL) throws {
        try JSONEncoder().encode(self).write(to: file, options: .atomic)
    }
}
