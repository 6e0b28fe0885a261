import Foundation
import Models
import Tensors
import TestSupport
import Testing

/// all-MiniLM-L6-v2 loaded from its Hugging Face folder reproduces sentence-transformers' embeddings
/// (reference computed with PyTorch, Tests/Fixtures/reference/minilm_stsb_dev100.json).
@Suite struct MiniLMParityTests {
    struct Reference: Decodable {
        struct Sentence: Decodable {
            let text: String
            let ids: [Int]
            let embedding: [Float]
        }
        let sentences: [Sentence]
        let spearman_x100: Double
    }

    static func reference() throws -> Reference {
        let url = try TestPaths.fixture("reference/minilm_stsb_dev100.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    static func encoder() throws -> SentenceEncoder {
        _ = try TestPaths.modelFile("model.safetensors")
        return try SentenceEncoder(directory: TestPaths.modelDirectory)
    }

    @Test func embeddingsMatchSentenceTransformers() throws {
        let reference = try Self.reference()
        let encoder = try Self.encoder()
        #expect(encoder.pooling == Pooling(mode: .mean, normalize: true))
        #expect(reference.sentences.count == 183)
        let embeddings = encoder.encode(reference.sentences.map(\.text), batchSize: 32).scalars
        let d = 384
        var worst = 1.0
        for (i, sentence) in reference.sentences.enumerated() {
            #expect(encoder.tokenizer.encode(sentence.text, maxLength: encoder.maxLength) == sentence.ids)
            let ours = embeddings[(i * d)..<((i + 1) * d)].map(Double.init)
            let theirs = sentence.embedding.map(Double.init)
            let dot = zip(ours, theirs).map(*).reduce(0, +)
            let norms = (ours.map { $0 * $0 }.reduce(0, +) * theirs.map { $0 * $0 }.reduce(0, +)).squareRoot()
            worst = Swift.min(worst, dot / norms)
        }
        #expect(worst >= 0.99999, "lowest cosine \(worst)")
    }

    @Test func meanPoolAndClsStateOfTheReadmeSentence() throws {
        let encoder = try Self.encoder()
        let batch = encoder.batch(["A man is playing a guitar."])
        #expect(batch.ids == [101, 1037, 2158, 2003, 2652, 1037, 2858, 1012, 102])
        encoder.model.eval()
        let output = withoutGradient { encoder.model(batch) }
        let mean = Pooling(mode: .mean)(output, attentionMask: batch.attentionMask).scalars
        let expectedMean: [Float] = [0.10676195, -0.02397076, -0.0475515, -0.31244528, -0.82541877]
        for (a, b) in zip(mean.prefix(5), expectedMean) { #expect(Swift.abs(a - b) < 2e-5) }
        let norm = mean.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
        #expect(Swift.abs(norm - 4.928066) < 1e-4)
        let cls = Pooling(mode: .clsBeforePooler)(output, attentionMask: batch.attentionMask).scalars
        let expectedCLS: [Float] = [0.09885321, 0.08067828, -0.0978659, -0.49726531, -0.8208676]
        for (a, b) in zip(cls.prefix(5), expectedCLS) { #expect(Swift.abs(a - b) < 2e-5) }
    }
}
