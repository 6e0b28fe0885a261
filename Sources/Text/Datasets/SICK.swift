import Foundation

/// SICK (Sentences Involving Compositional Knowledge, Marelli et al. 2014): sentence pairs with a
/// relatedness score (1-5) and an entailment label.
public enum SICK {
    /// Reads a SICK file (`SICK_train.txt`, `SICK_trial.txt`).
    ///
    /// Tab-separated: pair id, sentence A, sentence B, relatedness, entailment label. The files
    /// in `shared/data` have no header; the original release's header row (`pair_ID ...`) is
    /// recognised and skipped. Empty lines are skipped and counted.
    ///
    /// - Throws: ``TextFileError`` naming the file and line: not 5 columns, a non-integer id, a
    ///   relatedness outside 1...5, an unknown label, invalid UTF-8.
    public static func read(_ file: URL) throws(TextFileError) -> ParsedDataset<SICKPair> {
        try DelimitedFile.parse(file, format: .tsv, skippingHeader: { $0.first == "pair_ID" }) {
            record throws(TextFileError) in
            let fields = try RecordFields(record, in: file, columns: 5)
            guard let label = EntailmentLabel(rawValue: fields.text(5).trimmingCharacters(in: .whitespaces).uppercased()) else {
                throw TextFileError(file: file, line: record.line, .unknownLabel(column: 5, text: fields.text(5)))
            }
            return SICKPair(
                id: try fields.integer(1), first: fields.text(2), second: fields.text(3),
                relatedness: try fields.number(4, in: 1...5), label: label)
        }
    }

    /// Supervised-SimCSE triplets: (premise, entailed hypothesis, contradicting hypothesis of the
    /// same premise).
    ///
    /// Pairs are grouped by premise (sentence A; SICK labels B given A). Each entailed hypothesis
    /// gives one triplet; its hard negative is the premise's contradictions taken in turn (the
    /// i-th entailment gets contradiction i mod count), so all are used and the result is
    /// deterministic. A premise with no contradicting hypothesis gives no triplet: its
    /// entailment pairs are still available from ``entailmentPairs(_:)``. Triplets follow the
    /// order in which premises first appear.
    public static func supervisedTriplets(_ pairs: [SICKPair]) -> [SentenceTriplet] {
        var premises: [String] = []
        var hypotheses: [String: (entailed: [String], contradicting: [String])] = [:]
        for pair in pairs {
            if hypotheses[pair.first] == nil {
                premises.append(pair.first)
                hypotheses[pair.first] = ([], [])
            }
            switch pair.label {
            case .entailment: hypotheses[pair.first]!.entailed.append(pair.second)
            case .contradiction: hypotheses[pair.first]!.contradicting.append(pair.second)
            case .neutral: break
            }
        }
        return premises.flatMap { premise -> [SentenceTriplet] in
            let (entailed, contradicting) = hypotheses[premise]!
            guard !contradicting.isEmpty else { return [] }
            return entailed.enumerated().map { index, positive in
                SentenceTriplet(anchor: premise, positive: positive, hardNegative: contradicting[index % contradicting.count])
            }
        }
    }

    /// The (premise, entailed hypothesis) pairs, positives for in-batch-negative training.
    public static func entailmentPairs(_ pairs: [SICKPair]) -> [SentencePair] {
        pairs.filter { $0.label == .entailment }.map { SentencePair($0.first, $0.second) }
    }
}
