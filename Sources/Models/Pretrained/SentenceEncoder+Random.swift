import Foundation
import NeuralNetworks
import Tensors
import Text

extension SentenceEncoder {
    /// The uncased WordPiece vocabulary bundled with the library: in the resource folder SwiftPM
    /// places beside the executable, else in this package's sources (an executable copied
    /// elsewhere from a build of this checkout).
    ///
    /// Looked up here rather than through `Bundle.module`, which stops the process when the
    /// resource folder is missing.
    /// - Throws: ``ModelFileError`` naming where the vocabulary was looked for.
    public static var bundledVocabulary: URL {
        get throws {
            let name = "uncased-vocab.txt", resources = "swift-contrastive_Models.resources"
            let executableFolder = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
            let candidates = [executableFolder, Bundle.main.bundleURL].compactMap { $0?.appendingPathComponent(resources).appendingPathComponent(name) }
                + [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources/\(name)")]
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found }
            throw ModelFileError(candidates[0], "the bundled vocabulary is missing: keep the \(resources) folder of the build beside the executable")
        }
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
