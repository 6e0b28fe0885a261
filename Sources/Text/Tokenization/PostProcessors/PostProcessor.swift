/// The last stage of a ``PipelineTokenizer``: adds the special tokens around the encoded
/// sequences and sets their token types, as a `tokenizers` post-processor does.
protocol PostProcessor: Sendable {
    /// How many tokens it adds to one sequence (`pair` false) or to a pair, which truncation
    /// leaves room for.
    func addedTokenCount(pair: Bool) -> Int
    /// The encodings of one sequence or of a pair, with the special tokens added; the pipeline
    /// joins the encodings returned.
    func process(_ encodings: [Encoding]) -> [Encoding]
}

/// `RobertaProcessing`: `<s> A </s>` and `<s> A </s></s> B </s>`, every token type 0.
struct RobertaProcessing: PostProcessor {
    let classification: Int
    let separator: Int

    func addedTokenCount(pair: Bool) -> Int { pair ? 4 : 2 }

    func process(_ encodings: [Encoding]) -> [Encoding] {
        encodings.enumerated().map { index, encoding in
            let ids = [index == 0 ? classification : separator] + encoding.ids + [separator]
            return Encoding(ids: ids, tokenTypeIDs: [Int](repeating: 0, count: ids.count))
        }
    }
}

/// `BertProcessing`: `[CLS] A [SEP]` with token type 0, then `B [SEP]` with token type 1.
struct BertProcessing: PostProcessor {
    let classification: Int
    let separator: Int

    func addedTokenCount(pair: Bool) -> Int { pair ? 3 : 2 }

    func process(_ encodings: [Encoding]) -> [Encoding] {
        encodings.enumerated().map { index, encoding in
            let ids = (index == 0 ? [classification] : []) + encoding.ids + [separator]
            return Encoding(ids: ids, tokenTypeIDs: [Int](repeating: index == 0 ? 0 : 1, count: ids.count))
        }
    }
}

/// `TemplateProcessing`: the `single` or `pair` template, a list of special tokens (each one or
/// more ids) and the sequences `A` and `B`, each item with its token type.
struct TemplateProcessing: PostProcessor {
    enum Item: Equatable {
        case special(ids: [Int], typeID: Int)
        /// Sequence `A` (0) or `B` (1).
        case sequence(index: Int, typeID: Int)
    }

    let single: [Item]
    let pair: [Item]

    func addedTokenCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { count, item in
            if case .special(let ids, _) = item { count + ids.count } else { count }
        }
    }

    func process(_ encodings: [Encoding]) -> [Encoding] {
        var ids: [Int] = [], types: [Int] = []
        for item in encodings.count == 1 ? single : pair {
            switch item {
            case .special(let special, let typeID):
                ids += special
                types += [Int](repeating: typeID, count: special.count)
            case .sequence(let index, let typeID) where encodings.indices.contains(index):
                ids += encodings[index].ids
                types += [Int](repeating: typeID, count: encodings[index].ids.count)
            case .sequence:
                continue
            }
        }
        return [Encoding(ids: ids, tokenTypeIDs: types)]
    }
}

/// `ByteLevel` (which only trims offsets, which this library does not keep) and `Sequence`: each
/// processor in turn.
struct PostProcessorSequence: PostProcessor {
    let processors: [any PostProcessor]

    func addedTokenCount(pair: Bool) -> Int {
        processors.reduce(0) { $0 + $1.addedTokenCount(pair: pair) }
    }

    func process(_ encodings: [Encoding]) -> [Encoding] {
        processors.reduce(encodings) { $1.process($0) }
    }
}
