/// A sentence with paraphrases of it, such as back-translations (English to German to English).
///
/// ```swift
/// let example = ParaphrasedSentence("A dog runs.", paraphrases: ["A dog is running."])
/// ```
public struct ParaphrasedSentence: Sendable, Equatable {
    /// The original sentence.
    public var sentence: String
    /// Its paraphrases, in file order.
    public var paraphrases: [String]

    /// Creates a sentence with its paraphrases.
    public init(_ sentence: String, paraphrases: [String]) {
        self.sentence = sentence
        self.paraphrases = paraphrases
    }
}
