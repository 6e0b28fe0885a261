import Foundation
import Text

/// One training example of a text method: an anchor sentence and, for supervised methods, its
/// positive and any number of hard negatives (none, one of a triplet, several of a mined n-tuple).
public struct TextExample: Sendable, Equatable {
    public var anchor: String
    public var positive: String?
    public var hardNegatives: [String]

    /// An unsupervised example, a pair, or a triplet when `hardNegative` is given.
    public init(anchor: String, positive: String? = nil, hardNegative: String? = nil) {
        self.init(anchor: anchor, positive: positive, hardNegatives: hardNegative.map { [$0] } ?? [])
    }

    /// A supervised example with its hard negatives.
    public init(anchor: String, positive: String?, hardNegatives: [String]) {
        self.anchor = anchor
        self.positive = positive
        self.hardNegatives = hardNegatives
    }
}

extension TextExample {
    /// Supervised examples from SICK (`contrast train simcse --sick`): each entailed hypothesis is
    /// its premise's positive, and the premise's first contradicting hypothesis, when it has one,
    /// the hard negative.
    public static func supervised(sick pairs: [SICKPair]) -> [TextExample] {
        var contradictions: [String: String] = [:]
        for p in pairs where p.label == .contradiction && contradictions[p.first] == nil { contradictions[p.first] = p.second }
        return pairs.filter { $0.label == .entailment }.map { TextExample(anchor: $0.first, positive: $0.second, hardNegative: contradictions[$0.first]) }
    }
}

extension TextExample {
    /// The examples of the data file `settings` names: a plain corpus (unsupervised), sentence
    /// pairs, triplets or n-tuples (``TripletFile/readTuples(_:format:)``) or a SICK file
    /// (supervised), with the empty lines a corpus skipped.
    /// - Throws: the reader's ``TextFileError`` naming the file and line.
    public static func read(_ settings: TrainingSettings) throws -> (examples: [TextExample], skippedEmptyLines: Int) {
        if let corpus = settings.corpus {
            let data = try PlainCorpus.read(URL(fileURLWithPath: corpus))
            return (data.examples.map { TextExample(anchor: $0) }, data.skippedEmptyLines)
        }
        if let pairs = settings.pairs {
            return (try PairFile.read(URL(fileURLWithPath: pairs)).examples.map { TextExample(anchor: $0.first, positive: $0.second) }, 0)
        }
        if let triplets = settings.triplets {
            return (try TripletFile.readTuples(URL(fileURLWithPath: triplets)).examples.map {
                TextExample(anchor: $0.anchor, positive: $0.positive, hardNegatives: $0.negatives)
            }, 0)
        }
        return (supervised(sick: try SICK.read(URL(fileURLWithPath: settings.sick ?? "")).examples), 0)
    }
}
