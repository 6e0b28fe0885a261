import Tensors

/// CERT's back-translation view: a random paraphrase of a sentence, looked up among paraphrases
/// made offline (see ``ParaphraseFile``); a sentence without paraphrases is its own view.
///
/// ```swift
/// let backTranslation = BackTranslation(try ParaphraseFile.read(url).examples)
/// var generator = RandomGenerator(seed: 2)
/// let view = backTranslation.view(of: "A dog runs.", generator: &generator)  // "A dog is running."
/// ```
public struct BackTranslation: Sendable, Equatable {
    /// The paraphrases of each sentence; a sentence listed twice has both lists merged.
    public let paraphrases: [String: [String]]

    /// Indexes `examples` by sentence.
    public init(_ examples: [ParaphrasedSentence]) {
        paraphrases = Dictionary(examples.map { ($0.sentence, $0.paraphrases) }, uniquingKeysWith: +)
    }

    /// A uniformly random paraphrase of `sentence`, or `sentence` itself when it has none (no
    /// draw is made then).
    public func view(of sentence: String, generator: inout RandomGenerator) -> String {
        guard let choices = paraphrases[sentence], !choices.isEmpty else { return sentence }
        return choices[generator.nextInt(below: choices.count)]
    }
}
