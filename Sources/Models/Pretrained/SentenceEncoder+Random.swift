import Foundation
import NeuralNetworks
import Tensors
import Text

extension SentenceEncoder {
    /// The uncased WordPiece vocabulary bundled with the library.
    public static var bundledVocabulary: URL {
        guard let url = Bundle.module.url(forResource: "uncased-vocab", withExtension: "txt") else {
            fatalError("SentenceEncoder: the bundled vocabulary is missing from the Models resources")
        }
        return url
    }

    /// A randomly initialised encoder of a preset shape (BERT's initialisation, seeded) with the
    /// bundled uncased vocabulary.
    ///
    /// Note: unsupervised contrastive training from random weights learns surface identity and
    /// makes STS scores worse than a pretrained start; use it for tests and benchmarks.
    public static func randomlyInitialized(_ preset: BertConfiguration.Preset, pooling: Pooling = Pooling(mode: .clsBeforePooler),
                                           maxLength: Int = 128, seed: UInt64) throws -> SentenceEncoder {
        let tokenizer = try WordPieceTokenizer(vocabularyFile: bundledVocabulary)
        var generator = RandomGenerator(seed: seed)
        let model = BertModel(BertConfiguration(preset: preset, vocabularySize: tokenizer.vocabularySize),
                              source: RandomSource(seed: seed &+ 1), generator: &generator)
        return SentenceEncoder(tokenizer: tokenizer, model: model, pooling: pooling, maxLength: maxLength)
    }
}
